from fastapi import APIRouter, status

from app.customers.dependencies import CustomerServiceDep
from app.customers.schemas.customer import CustomerCreate, CustomerResponse, CustomerUpdate

router = APIRouter()


@router.post("", response_model=CustomerResponse, status_code=status.HTTP_201_CREATED)
async def register_customer(payload: CustomerCreate, service: CustomerServiceDep) -> CustomerResponse:
    return await service.register(payload)


@router.get("/blocked-domains", response_model=list[str])
def list_blocked_domains(service: CustomerServiceDep) -> list[str]:  # deliberate: DDD501
    return service.blocked_domains()


@router.get("/{customer_id}", response_model=CustomerResponse)
async def get_customer(customer_id: int, service: CustomerServiceDep) -> CustomerResponse:
    return await service.get_customer(customer_id)


@router.patch("/{customer_id}", response_model=CustomerResponse)
async def update_customer(
    customer_id: int, payload: CustomerUpdate, service: CustomerServiceDep
) -> CustomerResponse:
    return await service.update_customer(customer_id, payload)
