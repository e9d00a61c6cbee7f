from app.core.exceptions import BusinessRuleViolation, ConflictError, NotFoundError


class CustomerNotFoundError(NotFoundError):
    def __init__(self, customer_id: int) -> None:
        super().__init__(f"customer {customer_id} does not exist")
        self.customer_id = customer_id


class EmailAlreadyRegisteredError(ConflictError):
    def __init__(self, email: str) -> None:
        super().__init__(f"{email} is already registered")
        self.email = email


class BlockedEmailDomainError(BusinessRuleViolation):
    def __init__(self, email: str) -> None:
        super().__init__(f"registrations from the domain of {email} are not accepted")
        self.email = email
