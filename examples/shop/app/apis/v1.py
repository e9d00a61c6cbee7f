from fastapi import APIRouter

from app.customers.routes.customers import router as customers_router
from app.orders.routes.orders import router as orders_router

api_router = APIRouter()
api_router.include_router(customers_router, prefix="/customers", tags=["customers"])
api_router.include_router(orders_router, prefix="/orders", tags=["orders"])
