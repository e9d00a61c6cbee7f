from app.customers.services.customer import CustomerService

__all__ = ["CustomerService"]
