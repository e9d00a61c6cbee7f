from fastapi import FastAPI

from app.apis.v1 import api_router
from app.core.exceptions import register_exception_handlers
from app.core.settings import settings


def create_app() -> FastAPI:
    application = FastAPI(title=settings.app_name, version=settings.version)
    application.include_router(api_router, prefix="/api/v1")
    register_exception_handlers(application)
    return application


app = create_app()
