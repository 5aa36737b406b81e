// Specifies dash.task.template = chat: the model directory's own chat template, or one line saying why not.
using Dash.Actors.Engines;
using Dash.Actors.Settings;
using Dash.Model.Tokenizers;
using Dash.Tasks;
using Dash.Tasks.Arithmetic;
using Dash.Testing;

namespace Dash.Actors.Tests.Engines;

public sealed class ChatTemplateSettingSpecs : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dash-chat-").FullName;
    private readonly IProblemSource _source = new ArithmeticTask(new ArithmeticOptions { Seed = 1, HeldOutCount = 1 });

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Should_prompt_with_qwen25s_own_chat_template_as_its_tokenizer_encodes_it()
    {
        var qwen = SharedData.File("tokenizer/qwen2.5");
        var tokenizer = TextTokenizers.Load(qwen);
        var data = new TaskTrainingData(_source, tokenizer, TaskTrainingData.Template("chat", _source, qwen), 512);
        var problem = new Problem("p", "What is 2+3?", "5", null);

        var ids = data.EncodePrompt(problem);

        var expected = "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n" +
                       "<|im_start|>user\nWhat is 2+3?<|im_end|>\n<|im_start|>assistant\n";
        Assert.Equal(tokenizer.Encode(expected), ids);
        Assert.Equal(151644, ids[0]);                                        // <|im_start|> as one special token
        Assert.Equal(5, ids.Count(id => id is 151644 or 151645));            // three <|im_start|>, two <|im_end|>
    }

    [Fact]
    public void Should_refuse_a_template_it_does_not_know_in_one_line_naming_the_file()
    {
        File.WriteAllText(Path.Combine(_dir, "tokenizer_config.json"), """{"chat_template": "{% for m in messages %}{{ '<|user|>' + m['content'] }}{% endfor %}"}""");

        var error = Assert.Throws<SettingsException>(() => TaskTrainingData.Template("chat", _source, _dir));

        Assert.StartsWith(Path.Combine(_dir, "tokenizer_config.json") + ": ", error.Message);
        Assert.Contains("task.template = raw", error.Message);
    }

    [Fact]
    public void Should_refuse_chat_for_the_built_in_model()
    {
        var error = Assert.Throws<SettingsException>(() => TaskTrainingData.Template("chat", _source, ""));

        Assert.Contains("dash.task.template = chat", error.Message);
    }

    [Fact]
    public void Should_accept_chat_as_a_template_setting()
    {
        Assert.Equal("chat", ConfigLoader.Load(sets: ["task.template=chat"]).Settings.Task.Template);
    }
}
