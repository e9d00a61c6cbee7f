from app.orders.crud.order import OrderCRUD, order_crud

__all__ = ["OrderCRUD", "order_crud"]
