// Specifies rendering a model's own chat template for one user turn: Qwen2.5's real one, Llama 3 and Llama 2 forms.
using System.Text.Json.Nodes;
using Dash.Tasks.Prompts;
using Dash.Testing;

namespace Dash.Tasks.Tests.Prompts;

public sealed class ChatTemplateSpecs
{
    private const string Question = "What is 2+3?\n";

    // Llama 3's template (tokenizer_config.json of Meta-Llama-3-8B-Instruct), written out here.
    private const string Llama3 =
        "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + " +
        "'<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}" +
        "{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";

    // The system-header part of Llama 3.2's template (strftime_now with a literal fallback date).
    private const string Llama32 =
        "{{- bos_token }}\n{%- if not date_string is defined %}\n    {%- if strftime_now is defined %}\n        {%- set date_string = strftime_now(\"%d %b %Y\") %}\n" +
        "    {%- else %}\n        {%- set date_string = \"26 Jul 2024\" %}\n    {%- endif %}\n{%- endif %}\n" +
        "{%- if messages[0]['role'] == 'system' %}\n    {%- set system_message = messages[0]['content']|trim %}\n    {%- set messages = messages[1:] %}\n" +
        "{%- else %}\n    {%- set system_message = \"\" %}\n{%- endif %}\n" +
        "{{- \"<|start_header_id|>system<|end_header_id|>\\n\\n\" }}\n{{- \"Cutting Knowledge Date: December 2023\\n\" }}\n" +
        "{{- \"Today Date: \" + date_string + \"\\n\\n\" }}\n{{- system_message }}\n{{- \"<|eot_id|>\" }}\n" +
        "{%- for message in messages %}\n    {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' }}\n" +
        "{%- endfor %}\n{%- if add_generation_prompt %}\n    {{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}\n{%- endif %}\n";

    // Llama 2's [INST] form without a default system prompt.
    private const string Llama2 =
        "{% for message in messages %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + message['content'].strip() + ' [/INST]' }}" +
        "{% elif message['role'] == 'assistant' %}{{ ' '  + message['content'].strip() + ' ' + eos_token }}{% endif %}{% endfor %}";

    [Fact]
    public void Should_render_qwen25s_own_template_with_its_default_system_turn()
    {
        var path = SharedData.File("tokenizer/qwen2.5/tokenizer_config.json");
        var template = (string?)JsonNode.Parse(File.ReadAllText(path))!["chat_template"];

        var prompt = ChatTemplate.Recognise(template, path).Render(Question);

        Assert.Equal("<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n" +
                     "<|im_start|>user\nWhat is 2+3?\n<|im_end|>\n<|im_start|>assistant\n", prompt);
        Assert.Equal(ChatTemplate.Recognise(File.ReadAllText(SharedData.File("tokenizer/qwen2.5/chat_template.jinja")), "chat_template.jinja"),
            ChatTemplate.Recognise(template, path));
    }

    [Fact]
    public void Should_render_chatml_without_a_system_turn_when_the_template_has_no_default()
    {
        const string plain = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}" +
                             "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

        Assert.Equal("<|im_start|>user\nWhat is 2+3?\n<|im_end|>\n<|im_start|>assistant\n", ChatTemplate.Recognise(plain, "t").Render(Question));
    }

    [Fact]
    public void Should_render_llama3_headers_with_the_content_trimmed()
    {
        Assert.Equal("<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+3?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
            ChatTemplate.Recognise(Llama3, "t").Render(Question));
    }

    [Fact]
    public void Should_render_llama32s_system_header_with_the_templates_fallback_date()
    {
        Assert.Equal("<|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n<|eot_id|>" +
                     "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+3?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
            ChatTemplate.Recognise(Llama32, "t").Render(Question));
    }

    [Fact]
    public void Should_render_llama2_inst_without_the_bos_text_the_tokenizer_adds()
    {
        Assert.Equal("[INST] What is 2+3? [/INST]", ChatTemplate.Recognise(Llama2, "t").Render(Question));
    }

    [Theory]
    [InlineData("{% for message in messages %}{{ '<|user|>\\n' + message['content'] + eos_token }}{% endfor %}")]
    [InlineData(null)]
    public void Should_refuse_an_unrecognised_or_missing_template_in_one_line_naming_the_file(string? template)
    {
        var error = Assert.Throws<FormatException>(() => ChatTemplate.Recognise(template, "/models/zephyr/tokenizer_config.json"));

        Assert.StartsWith("/models/zephyr/tokenizer_config.json: ", error.Message);
        Assert.Contains("task.template = raw", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Should_prompt_with_the_problem_as_the_user_turn()
    {
        var prompt = new ChatPrompt(ChatTemplate.Recognise(Llama2, "t")).Render(new Problem("q", "What is 2+3?", "5", null));

        Assert.Equal("[INST] What is 2+3? [/INST]", prompt);
    }
}
