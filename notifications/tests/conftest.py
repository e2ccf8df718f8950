import pytest
from asgiref.sync import sync_to_async
from django.db import connections


@pytest.fixture(autouse=True)
async def _close_worker_thread_connections():
    """ORM calls from async code run on asgiref's worker thread, which keeps its
    own database connection; close it so PostgreSQL can drop the test database."""
    yield
    await sync_to_async(connections.close_all)()
