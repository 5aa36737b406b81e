// The list of dash subcommands; each lives in its own file.
using System.CommandLine;

namespace Dash.Host.Commands;

internal static class CommandTree
{
    public static IEnumerable<Command> All(Func<ParseResult, Console2> console) =>
    [
        TrainCommand.Create(console, "train", "Train a model with RL (the built-in arithmetic task and tiny model when given nothing)."),
        TrainCommand.Create(console, "sft", "Supervised fine-tuning on reference solutions (the `sft` preset), for baselines and warm-ups.", "sft"),
        ConfigCommand.Create(console),
        RunsCommand.Create(console),
        GradeCommand.Create(console),
        ModelCommands.Tokenize(console),
        ModelCommands.Generate(console),
        EvalCommand.Create(console),
        BenchCommand.Create(console),
        NodeCommand.Create(console),
        SimulateCommand.Create(console),
    ];
}
