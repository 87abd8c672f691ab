import click


@click.command("import-cooperatives")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Report what would change, change nothing.")
def import_cooperatives_command(path: str, dry_run: bool) -> None:
    """Import cooperatives from the office's CSV or XLSX list."""
    raise click.ClickException("not implemented yet")
