from app.orders.models.order import Order, OrderLine

__all__ = ["Order", "OrderLine"]
