from app.customers.crud.customer import CustomerCRUD, customer_crud

__all__ = ["CustomerCRUD", "customer_crud"]
