"""`hotline run`: the whole stack on embedded defaults, in the foreground; Ctrl-C stops it.

Starts, as supervised children of this process: PostgreSQL (unless HOTLINE_DATABASE_URL is
set), the tansu broker (unless HOTLINE_KAFKA_BOOTSTRAP is set), the mail sink (unless
HOTLINE_SMTP_URL is set) and every installed service (`hotline serve NAME`) on its default
ports, then prints where everything listens. Logs go to `<var>/logs/<name>.log`; the addresses
go to `<var>/stack.json`, where every other `hotline` command finds them (`hotline.cli.stack`).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from typing import Annotated

import typer

from hotline.cli import stack
from hotline.devstack import broker as broker_mod
from hotline.devstack import mailsink
from hotline.devstack import postgres as pg
from hotline.devstack import services as svc
from hotline.devstack.ports import HOST, PortInUseError, check_port_free
from hotline.devstack.supervisor import StartError, Supervisor
from hotline.identity.tokens import TokenStore
from hotline.settings import HotlineSettings


LOCAL_ADMIN = "local-admin"


def _service_ports(services: list[str]) -> dict[str, dict[str, int]]:
    """Ports of each service: HOTLINE_<SERVICE>_<FIELD> if set, else the defaults."""
    from hotline.devstack.ports import free_port

    ports: dict[str, dict[str, int]] = {}
    for name in services:
        defaults = svc.DEFAULT_PORTS.get(name) or {"HTTP_PORT": free_port()}
        ports[name] = {
            field: int(os.environ.get(svc.env_prefix(name) + field, default))
            for field, default in defaults.items()
        }
    return ports


def _echo_table(rows: list[tuple[str, str]]) -> None:
    width = max(len(k) for k, _ in rows)
    typer.echo("")
    typer.echo("Hotline is running:")
    for key, value in rows:
        typer.echo(f"  {key.ljust(width)}  {value}")
    typer.echo("")
    typer.echo("Ctrl-C stops everything.")


async def _run_stack(
    var_dir: Path,
    pg_port: int,
    kafka_port: int,
    mail_port: int,
    services: list[str],
) -> None:
    settings = HotlineSettings()
    log_dir = var_dir / "logs"
    sup = Supervisor(log_dir)
    env_in = os.environ
    rows: list[tuple[str, str]] = []
    stack_env: dict[str, str] = {"HOTLINE_VAR_DIR": str(var_dir)}
    ports = _service_ports(services)

    # Fail fast, before starting anything, on a taken port.
    if "HOTLINE_DATABASE_URL" not in env_in:
        check_port_free(
            pg_port, "embedded PostgreSQL", "HOTLINE_DEVSTACK_POSTGRES_PORT (or --pg-port)"
        )
    if "HOTLINE_KAFKA_BOOTSTRAP" not in env_in:
        check_port_free(
            kafka_port, "Kafka-protocol broker", "HOTLINE_DEVSTACK_KAFKA_PORT (or --kafka-port)"
        )
    if "HOTLINE_SMTP_URL" not in env_in:
        check_port_free(mail_port, "mail sink SMTP", "HOTLINE_DEVSTACK_MAIL_PORT (or --mail-port)")
    for name, fields in ports.items():
        for field, port in fields.items():
            check_port_free(port, f"{name} {field.lower()}", svc.env_prefix(name) + field)

    try:
        infra = []
        if "HOTLINE_DATABASE_URL" in env_in:
            database_url = settings.database_url
        else:
            data_dir = var_dir / "postgres"
            typer.echo(f"PostgreSQL: data in {data_dir}")
            user = await asyncio.to_thread(pg.init_data_dir, data_dir)
            infra.append(pg.server_spec(data_dir, pg_port, user=user))
            database_url = pg.server_url(pg_port, "hotline")
        if "HOTLINE_KAFKA_BOOTSTRAP" in env_in:
            bootstrap = settings.kafka_bootstrap
        else:
            infra.append(broker_mod.broker_spec(kafka_port))
            bootstrap = f"{HOST}:{kafka_port}"
            stack_env.setdefault(
                "HOTLINE_KAFKA_IDEMPOTENCE", env_in.get("HOTLINE_KAFKA_IDEMPOTENCE", "false")
            )
        mail_dir = var_dir / "mail"
        if "HOTLINE_SMTP_URL" in env_in:
            smtp_url = settings.smtp_url
        else:
            infra.append(mailsink.sink_spec(mail_port, mail_dir))
            smtp_url = f"smtp://{HOST}:{mail_port}"
        typer.echo("Starting " + ", ".join(s.name for s in infra) + " ..." if infra else "")
        await sup.start_many(infra)

        if "HOTLINE_KAFKA_BOOTSTRAP" in env_in:
            await broker_mod.wait_for_broker(bootstrap)
        await asyncio.to_thread(pg.ensure_database, database_url)
        await broker_mod.ensure_topics(bootstrap, settings.topic_partitions)
        # A fresh admin token each run (the last one is revoked): the CLI finds it in the
        # stack file, so the README's commands work in a second terminal.
        token = os.environ.get("HOTLINE_TOKEN") or await asyncio.to_thread(
            TokenStore(database_url).replace, LOCAL_ADMIN, "admin", "hotline run")

        stack_env.update(
            HOTLINE_DATABASE_URL=database_url,
            HOTLINE_KAFKA_BOOTSTRAP=bootstrap,
            HOTLINE_SMTP_URL=smtp_url,
            HOTLINE_TOPIC_PARTITIONS=str(settings.topic_partitions),
        )
        stack_env.update(svc.port_env(ports))
        directory = svc.demo_directory_file()
        # The demo directory, for intake and notifier, unless one of the variables names another.
        named = {"HOTLINE_INTAKE_DIRECTORY_FILE", "HOTLINE_DIRECTORY_FILE"} & set(env_in)
        if directory and not named:
            stack_env["HOTLINE_INTAKE_DIRECTORY_FILE"] = str(directory)
            stack_env["HOTLINE_DIRECTORY_FILE"] = str(directory)
        env = svc.base_env(stack_env, keep_hotline=True)
        if services:
            typer.echo("Starting " + ", ".join(services) + " ...")
            await sup.start_many([svc.service_spec(name, env) for name in services])

        rows.append(("PostgreSQL", database_url))
        rows.append(("Kafka bootstrap", bootstrap))
        if "intake" in ports and "SMTP_PORT" in ports["intake"]:
            rows.append(("SMTP intake", f"{HOST}:{ports['intake']['SMTP_PORT']}"))
        for name in services:
            url = svc.http_url(env, name)
            rows.append((f"{name} HTTP", f"{url}  (API docs {url}/docs)"))
        if "HOTLINE_SMTP_URL" in env_in:
            rows.append(("Outbound SMTP", smtp_url))
        else:
            rows.append(("Mail sink", f"{smtp_url}  -> {mail_dir.resolve()}/*.eml"))
        rows.append(("Logs", f"{log_dir.resolve()}/<name>.log"))
        written = stack.write(var_dir, {
            "HOTLINE_DATABASE_URL": database_url, "HOTLINE_KAFKA_BOOTSTRAP": bootstrap,
            "HOTLINE_SMTP_URL": smtp_url, "HOTLINE_TOPIC_PARTITIONS": str(settings.topic_partitions),
            "HOTLINE_SIMULATED_CLOCK": str(settings.simulated_clock).lower(),
            "HOTLINE_TOKEN": token,
            **svc.port_env(ports),
            **{svc.env_prefix(name) + "URL": svc.http_url(env, name) for name in services},
        })
        rows.append(("Clock", "simulated: move it with `hotline clock set|advance`"
                      if settings.simulated_clock else
                      "system (HOTLINE_SIMULATED_CLOCK=true make run for a movable one)"))
        rows.append(("Admin token", f"{token}  (name {LOCAL_ADMIN}; `hotline tokens` for more)"
                     if "HOTLINE_TOKEN" not in env_in else "HOTLINE_TOKEN (yours)"))
        rows.append(("CLI settings", f"{written.resolve()}  (read by `hotline ...` in any terminal)"))
        if not services:
            rows.append(("Services", "none installed (no importable hotline.services entry point)"))
        _echo_table(rows)

        reported: set[str] = set()
        while True:
            await asyncio.sleep(1.0)
            for name, child in sup.children.items():
                if child.proc is not None and not child.running() and name not in reported:
                    reported.add(name)
                    typer.echo(
                        f"!! {name} exited with code {child.proc.returncode}; see {child.log_path}",
                        err=True,
                    )
    finally:
        typer.echo("\nStopping ...")
        stack.remove(var_dir)
        await asyncio.shield(sup.stop_all())
        typer.echo("Stopped.")


def run(
    var_dir: Annotated[
        Path | None,
        typer.Option(
            "--var-dir",
            help="Local state (embedded DB, mail, logs). Default: HOTLINE_VAR_DIR or ./var.",
        ),
    ] = None,
    pg_port: Annotated[
        int,
        typer.Option(
            "--pg-port",
            envvar="HOTLINE_DEVSTACK_POSTGRES_PORT",
            help="Port of the embedded PostgreSQL (unused when HOTLINE_DATABASE_URL is set).",
        ),
    ] = 55432,
    kafka_port: Annotated[
        int,
        typer.Option(
            "--kafka-port",
            envvar="HOTLINE_DEVSTACK_KAFKA_PORT",
            help="Port of the local broker (unused when HOTLINE_KAFKA_BOOTSTRAP is set).",
        ),
    ] = 9092,
    mail_port: Annotated[
        int,
        typer.Option(
            "--mail-port",
            envvar="HOTLINE_DEVSTACK_MAIL_PORT",
            help="Port of the local mail sink (unused when HOTLINE_SMTP_URL is set).",
        ),
    ] = 1025,
    service: Annotated[
        list[str] | None,
        typer.Option(
            "--service", "-s", help="Run only these services (repeatable). Default: all installed."
        ),
    ] = None,
) -> None:
    """Start PostgreSQL, the broker, the mail sink and every installed service; Ctrl-C stops all."""
    var = (var_dir or Path(HotlineSettings().var_dir)).resolve()
    var.mkdir(parents=True, exist_ok=True)
    installed = svc.installed_services()
    services = list(service) if service else installed
    unknown = [s for s in services if s not in installed]
    if unknown:
        typer.echo(
            f"Unknown or not installed service(s): {', '.join(unknown)}; "
            f"installed: {', '.join(installed) or 'none'}",
            err=True,
        )
        raise typer.Exit(2)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None

        def on_signal() -> None:
            task.cancel()

        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, on_signal)
        try:
            await _run_stack(var, pg_port, kafka_port, mail_port, services)
        except asyncio.CancelledError:
            pass

    try:
        asyncio.run(main())
    except PortInUseError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(1) from None
    except StartError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":  # pragma: no cover
    typer.run(run)
    sys.exit(0)
