from app.customers.routes.customers import router

__all__ = ["router"]
