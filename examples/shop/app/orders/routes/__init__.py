from app.orders.routes.orders import router

__all__ = ["router"]
