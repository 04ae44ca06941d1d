from ninja import Router

router = Router(tags=["wastecycle"])
