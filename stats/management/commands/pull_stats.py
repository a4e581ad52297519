from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import Channel
from stats import services
from stats.client import TikTokError
from stats.models import ChannelConnection


class Command(BaseCommand):
    help = "Pull engagement stats from TikTok now, in the foreground, with a progress line."

    def add_arguments(self, parser):
        parser.add_argument("--channel", type=int, help="Channel id; default: every connected channel.")

    def handle(self, *args, channel=None, **options):
        channels = Channel.objects.filter(pk__in=ChannelConnection.objects.values("channel_id"))
        if channel is not None:
            channels = Channel.objects.filter(pk=channel)
            if not channels.exists():
                raise CommandError(f"No channel with id {channel}.")
        failed = False
        for ch in channels:

            def progress(done, total, handle=ch.handle):
                self.stdout.write(f"\r@{handle}: {done}/{total} videos", ending="")
                self.stdout.flush()

            try:
                run = services.pull_video_stats(ch, now=timezone.now(), progress=progress)
            except TikTokError as error:
                failed = True
                self.stdout.write(self.style.ERROR(f"\n@{ch.handle}: failed: {error}"))
                continue
            self.stdout.write(f"\n@{ch.handle}: {run.snapshots_written} snapshots from {run.requests_made} requests")
        if failed:
            raise CommandError("Some pulls failed; see above (and the runs on record).")
