from app.core.exceptions import BusinessRuleViolation, NotFoundError
from app.orders.enums import OrderStatus


class OrderNotFoundError(NotFoundError):
    def __init__(self, order_id: int) -> None:
        super().__init__(f"order {order_id} does not exist")
        self.order_id = order_id


class OrderNotEditableError(BusinessRuleViolation):
    def __init__(self, order_id: int, current: OrderStatus) -> None:
        super().__init__(f"order {order_id} is {current.value} and can no longer change")
        self.order_id = order_id
        self.current = current


class InvalidStatusTransitionError(BusinessRuleViolation):
    def __init__(self, current: OrderStatus, requested: OrderStatus) -> None:
        super().__init__(f"an order cannot go from {current.value} to {requested.value}")
        self.current = current
        self.requested = requested
