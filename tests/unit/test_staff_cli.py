"""The staff command refuses an id the roster file has already: one id, one set of rights."""

from typer.testing import CliRunner

from services.decision.cli import cli


def test_an_id_from_the_roster_file_cannot_be_added_as_staff():
    result = CliRunner().invoke(cli, ["staff", "add", "cw-001", "--name", "Someone", "--role", "desk_officer", "--generate"])

    assert result.exit_code == 1
    assert "roster file already" in result.output
