// dash.persistence: the journal choice and where the PostgreSQL connection string comes from, with errors naming the key.
using Dash.Actors.Persistence;
using Dash.Actors.Settings;

namespace Dash.Actors.Tests.Settings;

public sealed class PersistenceSettingsSpecs : IDisposable
{
    private readonly string _variable = "DASH_TEST_PG_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
    private readonly string _file = Path.Combine(Path.GetTempPath(), "dash-pg-" + Guid.NewGuid().ToString("N")[..8] + ".txt");

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(_variable, null);
        File.Delete(_file);
    }

    private DashSettings Load(params string[] sets) =>
        ConfigLoader.Load(sets: ["persistence.journal=postgres", $"persistence.postgres.connection-string-env={_variable}", .. sets]).Settings;

    [Fact]
    public void Should_journal_to_sqlite_in_the_run_folder_by_default()
    {
        var s = ConfigLoader.Load().Settings.Persistence;

        Assert.Equal(JournalKind.Sqlite, s.Journal);
        Assert.Equal("DASH_POSTGRES", s.ConnectionStringEnv);
        Assert.IsType<SqliteJournal>(JournalConfig.For(s, "runs/x/journal.db"));
    }

    [Fact]
    public void Should_take_the_connection_string_from_the_variable_before_the_file()
    {
        File.WriteAllText(_file, "Host=from-file;Database=dash\n");
        Assert.Equal("Host=from-file;Database=dash", Load($"persistence.postgres.connection-string-file={_file}").Persistence.PostgresConnectionString);

        Environment.SetEnvironmentVariable(_variable, "Host=from-env;Database=dash;Password=hunter2");
        var s = Load($"persistence.postgres.connection-string-file={_file}").Persistence;

        var journal = Assert.IsType<PostgresJournal>(JournalConfig.For(s, "unused"));
        Assert.Equal("Host=from-env;Database=dash;Password=hunter2", journal.ConnectionString);
        Assert.DoesNotContain("hunter2", journal.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", s.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "dash.persistence.postgres.connection-string-env")]
    [InlineData("/no/such/file", "dash.persistence.postgres.connection-string-file = \"/no/such/file\" does not exist")]
    public void Should_name_the_keys_when_no_connection_string_can_be_found(string file, string expected)
    {
        var e = Assert.Throws<SettingsException>(() => Load($"persistence.postgres.connection-string-file=\"{file}\""));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_refuse_an_unknown_journal_naming_the_key()
    {
        var e = Assert.Throws<SettingsException>(() => ConfigLoader.Load(sets: ["persistence.journal=mysql"]));

        Assert.Contains("dash.persistence.journal", e.Message, StringComparison.Ordinal);
        Assert.Contains("sqlite, postgres", e.Message, StringComparison.Ordinal);
    }
}
