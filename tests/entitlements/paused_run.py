"""`justedroit <arguments>` with one pause: once a payment run has stored (and committed) its first
chunk, it prints PAUSED and waits for a line on stdin. Tests kill the run there, or start a second
run meanwhile, without racing against the clock."""

import contextlib
import sys

import django
from django.core.management import execute_from_command_line


def main() -> None:
    django.setup()
    from justedroit.entitlements import services

    computed = services.computed

    def paused_after_first_chunk(*args, **kwargs):
        chunks = computed(*args, **kwargs)
        with contextlib.closing(chunks):
            for index, chunk in enumerate(chunks):
                yield chunk
                if index == 0:  # the run asks for more: its first chunk is stored
                    print("PAUSED", flush=True)
                    sys.stdin.readline()

    services.computed = paused_after_first_chunk
    execute_from_command_line(["justedroit", *sys.argv[1:]])


if __name__ == "__main__":
    main()
