from app.customers.models.customer import Customer

__all__ = ["Customer"]
