"""Celery tasks of the archive. Both are idempotent: a build takes its package with a conditional update and only
that attempt finishes it, and the daily job queues at most one figures-final package per post (a partial unique
constraint), so acks_late is safe."""

from celery import shared_task
from django.utils import timezone

from . import services
from .models import PackageStatus


@shared_task(acks_late=True)
def build_package(package_id: int) -> str:
    """Make one archive package (asked for on the archive page)."""
    package = services.package_build(package_id, now=timezone.now())
    return package.status if package is not None else "skipped"


@shared_task(acks_late=True)
def package_final_posts() -> int:
    """Beat, daily: queue a package for every post whose figures are final (a year after posting), then make every
    package waiting, failed or stalled, one after the other. Returns how many were made."""
    services.queue_final_posts(now=timezone.now())
    made = 0
    for package_id in services.packages_to_build(now=timezone.now()):
        package = services.package_build(package_id, now=timezone.now())
        made += package is not None and package.status == PackageStatus.DONE
    return made
