from app.orders.services.order import OrderService

__all__ = ["OrderService"]
