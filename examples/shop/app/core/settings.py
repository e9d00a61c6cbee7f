from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_prefix="SHOP_", extra="ignore")

    app_name: str = "shop"
    version: str = "1.0.0"
    database_url: str = "postgresql+asyncpg://shop:shop@localhost:5432/shop"
    echo_sql: bool = False
    default_currency: str = Field(default="EUR", pattern=r"^[A-Z]{3}$")
    blocked_email_domains: tuple[str, ...] = ("mailinator.com",)
    page_size_limit: int = 100


settings = Settings()
