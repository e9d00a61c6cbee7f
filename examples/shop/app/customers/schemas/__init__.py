from app.customers.schemas.customer import CustomerCreate, CustomerResponse, CustomerUpdate

__all__ = ["CustomerCreate", "CustomerResponse", "CustomerUpdate"]
