<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ChatPane</name>
    <message>
        <source>The conversation could not be saved: %1</source>
        <translation>无法保存对话：%1</translation>
    </message>
    <message>
        <source>The message could not be saved: %1</source>
        <translation>无法保存消息：%1</translation>
    </message>
    <message>
        <source>Editing a message: sending replaces it and every message after it.</source>
        <translation>正在编辑消息：发送后将替换这条消息及其后的全部内容。</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>System prompt</source>
        <translation>系统提示词</translation>
    </message>
    <message>
        <source>Instructions the model follows throughout this conversation:</source>
        <translation>模型在整个对话中都会遵循的指示：</translation>
    </message>
    <message>
        <source>New conversation</source>
        <translation>新对话</translation>
    </message>
    <message>
        <source>Precise</source>
        <translation>严谨</translation>
    </message>
    <message>
        <source>Balanced</source>
        <translation>均衡</translation>
    </message>
    <message>
        <source>Creative</source>
        <translation>创意</translation>
    </message>
    <message>
        <source>Sampling preset for this conversation</source>
        <translation>本对话使用的采样预设</translation>
    </message>
    <message>
        <source>Sampling preset</source>
        <translation>采样预设</translation>
    </message>
    <message>
        <source>System prompt…</source>
        <translation>系统提示词…</translation>
    </message>
    <message>
        <source>Message the model — Enter to send, Shift+Enter for a new line</source>
        <translation>给模型发消息——按 Enter 发送，Shift+Enter 换行</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <source>Send (Ctrl+Enter)</source>
        <translation>发送（Ctrl+Enter）</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Stop the reply (Esc)</source>
        <translation>停止回复（Esc）</translation>
    </message>
</context>
<context>
    <name>ChatTemplateBar</name>
    <message>
        <source>The model&apos;s chat template failed: %1</source>
        <translation>模型的对话模板出错了：%1</translation>
    </message>
    <message>
        <source>The chat template cannot be read, so the built-in format is used: %1</source>
        <translation>对话模板无法解析，已改用内置格式：%1</translation>
    </message>
    <message>
        <source>Use the Built-in Format</source>
        <translation>改用内置格式</translation>
    </message>
    <message>
        <source>Edit Template…</source>
        <translation>编辑模板…</translation>
    </message>
</context>
<context>
    <name>ChatTemplateDialog</name>
    <message>
        <source>Chat Template — %1</source>
        <translation>对话模板 — %1</translation>
    </message>
    <message>
        <source>The model&apos;s prompts are written in this Jinja format. Edit it if the model&apos;s own template is broken; the change is kept for this model file only.</source>
        <translation>发给模型的提示词按这个 Jinja 格式写成。如果模型自带的模板有问题，可以在这里修改；改动只对这个模型文件生效。</translation>
    </message>
    <message>
        <source>Chat template</source>
        <translation>对话模板</translation>
    </message>
    <message>
        <source>Use the &amp;Model&apos;s Template</source>
        <translation>使用模型自带的模板(&amp;M)</translation>
    </message>
    <message>
        <source>Use the &amp;Built-in Format</source>
        <translation>使用内置格式(&amp;B)</translation>
    </message>
    <message>
        <source>This template does not work, so the built-in format is used: %1</source>
        <translation>这个模板用不了，已改用内置格式：%1</translation>
    </message>
    <message>
        <source>In use: the template that comes with the model.</source>
        <translation>当前使用：模型自带的模板。</translation>
    </message>
    <message>
        <source>In use: the built-in format (the model has no template).</source>
        <translation>当前使用：内置格式（模型没有自带模板）。</translation>
    </message>
    <message>
        <source>In use: your edited template.</source>
        <translation>当前使用：你修改过的模板。</translation>
    </message>
    <message>
        <source>In use: the built-in plain format.</source>
        <translation>当前使用：内置的纯文本格式。</translation>
    </message>
    <message>
        <source>The template cannot be read: %1</source>
        <translation>无法解析该模板：%1</translation>
    </message>
</context>
<context>
    <name>ChatWritePane</name>
    <message>
        <source>Chat</source>
        <translation>聊天</translation>
    </message>
    <message>
        <source>Conversations with the model</source>
        <translation>与模型对话</translation>
    </message>
    <message>
        <source>Write</source>
        <translation>写作</translation>
    </message>
    <message>
        <source>Draft and edit a document with the model&apos;s help</source>
        <translation>借助模型起草和修改文档</translation>
    </message>
</context>
<context>
    <name>CodePane</name>
    <message>
        <source>Describe the task first.</source>
        <translation>请先描述要完成的任务。</translation>
    </message>
    <message>
        <source>Paste the code to work on into “Existing code” first.</source>
        <translation>请先把要处理的代码粘贴到“现有代码”中。</translation>
    </message>
    <message>
        <source>Could not save %1: %2</source>
        <translation>无法保存 %1：%2</translation>
    </message>
    <message>
        <source>Save code</source>
        <translation>保存代码</translation>
    </message>
    <message>
        <source>%1 files (*.%2);;All files (*)</source>
        <translation>%1 文件 (*.%2);;所有文件 (*)</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>语言(&amp;L)：</translation>
    </message>
    <message>
        <source>Convert &amp;to:</source>
        <translation>转换为(&amp;T)：</translation>
    </message>
    <message>
        <source>Describe what the code should do (Ctrl+Enter generates)</source>
        <translation>描述代码要做什么（按 Ctrl+Enter 生成）</translation>
    </message>
    <message>
        <source>Task</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>Existing code (optional): paste code to explain, fix, test or convert</source>
        <translation>现有代码（可选）：粘贴需要讲解、修复、测试或转换的代码</translation>
    </message>
    <message>
        <source>Existing code</source>
        <translation>现有代码</translation>
    </message>
    <message>
        <source>Generate</source>
        <translation>生成</translation>
    </message>
    <message>
        <source>Explain</source>
        <translation>讲解</translation>
    </message>
    <message>
        <source>Fix</source>
        <translation>修复</translation>
    </message>
    <message>
        <source>Add tests</source>
        <translation>添加测试</translation>
    </message>
    <message>
        <source>Convert</source>
        <translation>转换</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Save As…</source>
        <translation>另存为…</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>The result appears here</source>
        <translation>结果将显示在这里</translation>
    </message>
    <message>
        <source>Highlighting: %1</source>
        <translation>语法高亮：%1</translation>
    </message>
</context>
<context>
    <name>ConversationList</name>
    <message>
        <source>Search conversations (Ctrl+F)</source>
        <translation>搜索对话（Ctrl+F）</translation>
    </message>
    <message>
        <source>Search conversations</source>
        <translation>搜索对话</translation>
    </message>
    <message>
        <source>Conversations</source>
        <translation>对话列表</translation>
    </message>
    <message>
        <source>New chat</source>
        <translation>新建对话</translation>
    </message>
    <message>
        <source>Start a new conversation (Ctrl+N)</source>
        <translation>开始新对话（Ctrl+N）</translation>
    </message>
    <message>
        <source>Rename…</source>
        <translation>重命名…</translation>
    </message>
    <message>
        <source>Unpin</source>
        <translation>取消置顶</translation>
    </message>
    <message>
        <source>Pin</source>
        <translation>置顶</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Rename conversation</source>
        <translation>重命名对话</translation>
    </message>
    <message>
        <source>Title:</source>
        <translation>标题：</translation>
    </message>
    <message>
        <source>Delete conversation</source>
        <translation>删除对话</translation>
    </message>
    <message>
        <source>Delete “%1” and all its messages?</source>
        <translation>要删除“%1”及其全部消息吗？</translation>
    </message>
</context>
<context>
    <name>FailureText</name>
    <message>
        <source>The file could not be read.</source>
        <translation>无法读取该文件。</translation>
    </message>
    <message>
        <source>This is not a valid GGUF model file.</source>
        <translation>这不是有效的 GGUF 模型文件。</translation>
    </message>
    <message>
        <source>This model is not supported by Inkstone yet.</source>
        <translation>Inkstone 暂不支持这个模型。</translation>
    </message>
    <message>
        <source>No model is loaded. Open a GGUF model file first.</source>
        <translation>尚未加载模型，请先打开一个 GGUF 模型文件。</translation>
    </message>
    <message>
        <source>Text generation is not available in this build yet: Inkstone can open and describe models, but its inference engine is still being written.</source>
        <translation>此版本暂时无法生成文本：Inkstone 已能打开并识别模型，但推理引擎仍在开发中。</translation>
    </message>
    <message>
        <source>The conversation no longer fits in the model&apos;s context.</source>
        <translation>对话已超出模型的上下文长度。</translation>
    </message>
    <message>
        <source>There is not enough memory for this model.</source>
        <translation>内存不足，无法运行这个模型。</translation>
    </message>
    <message>
        <source>The graphics device failed.</source>
        <translation>显卡设备出错。</translation>
    </message>
    <message>
        <source>The model&apos;s chat template could not be used.</source>
        <translation>无法使用该模型自带的对话模板。</translation>
    </message>
    <message>
        <source>Stopped.</source>
        <translation>已停止。</translation>
    </message>
    <message>
        <source>Something went wrong inside Inkstone.</source>
        <translation>Inkstone 内部出错了。</translation>
    </message>
</context>
<context>
    <name>Languages</name>
    <message>
        <source>English</source>
        <translation>英语</translation>
    </message>
    <message>
        <source>Chinese (Simplified)</source>
        <translation>简体中文</translation>
    </message>
    <message>
        <source>Chinese (Traditional)</source>
        <translation>繁体中文</translation>
    </message>
    <message>
        <source>Japanese</source>
        <translation>日语</translation>
    </message>
    <message>
        <source>Korean</source>
        <translation>韩语</translation>
    </message>
    <message>
        <source>French</source>
        <translation>法语</translation>
    </message>
    <message>
        <source>German</source>
        <translation>德语</translation>
    </message>
    <message>
        <source>Spanish</source>
        <translation>西班牙语</translation>
    </message>
    <message>
        <source>Portuguese</source>
        <translation>葡萄牙语</translation>
    </message>
    <message>
        <source>Italian</source>
        <translation>意大利语</translation>
    </message>
    <message>
        <source>Russian</source>
        <translation>俄语</translation>
    </message>
    <message>
        <source>Arabic</source>
        <translation>阿拉伯语</translation>
    </message>
    <message>
        <source>Vietnamese</source>
        <translation>越南语</translation>
    </message>
    <message>
        <source>Thai</source>
        <translation>泰语</translation>
    </message>
    <message>
        <source>Indonesian</source>
        <translation>印尼语</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Model unloaded</source>
        <translation>模型已卸载</translation>
    </message>
    <message>
        <source>Open a GGUF model</source>
        <translation>打开 GGUF 模型</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation>GGUF 模型 (*.gguf);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Loaded %1</source>
        <translation>已加载 %1</translation>
    </message>
    <message>
        <source>“%1” is open, but this build cannot generate text yet: the inference engine is still being written. You can browse and organise conversations meanwhile.</source>
        <translation>已打开“%1”，但此版本暂时无法生成文本：推理引擎仍在开发中。在此期间，你可以浏览和整理对话。</translation>
    </message>
    <message>
        <source>Loading cancelled</source>
        <translation>已取消加载</translation>
    </message>
    <message>
        <source>Could not open the model</source>
        <translation>无法打开模型</translation>
    </message>
    <message>
        <source>Inkstone could not open “%1”.</source>
        <translation>Inkstone 无法打开“%1”。</translation>
    </message>
    <message>
        <source>Could not open %1</source>
        <translation>无法打开 %1</translation>
    </message>
    <message>
        <source>About Inkstone</source>
        <translation>关于 Inkstone</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Inkstone %1&lt;/h3&gt;&lt;p&gt;Chat, write, translate and code with language models that run on your own computer.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Inkstone %1&lt;/h3&gt;&lt;p&gt;用在你自己电脑上运行的语言模型来聊天、写作、翻译和编程。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Inkstone</source>
        <translation>Inkstone</translation>
    </message>
    <message>
        <source>Chat &amp;&amp; Write</source>
        <translation>聊天与写作</translation>
    </message>
    <message>
        <source>Translate</source>
        <translation>翻译</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>编程</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Chat</source>
        <translation>聊天(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Open GGUF Model…</source>
        <translation>打开 GGUF 模型(&amp;O)…</translation>
    </message>
    <message>
        <source>Open a model file in GGUF format</source>
        <translation>打开 GGUF 格式的模型文件</translation>
    </message>
    <message>
        <source>&amp;Unload Model</source>
        <translation>卸载模型(&amp;U)</translation>
    </message>
    <message>
        <source>Free the memory the current model uses</source>
        <translation>释放当前模型占用的内存</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <source>Threads, context, sampling, theme and language</source>
        <translation>线程、上下文、采样、主题和语言</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>Quit Inkstone</source>
        <translation>退出 Inkstone</translation>
    </message>
    <message>
        <source>&amp;New Chat</source>
        <translation>新建对话(&amp;N)</translation>
    </message>
    <message>
        <source>Start a new conversation</source>
        <translation>开始新对话</translation>
    </message>
    <message>
        <source>&amp;Send</source>
        <translation>发送(&amp;S)</translation>
    </message>
    <message>
        <source>Send the message or run the pane&apos;s action</source>
        <translation>发送消息或执行当前面板的操作</translation>
    </message>
    <message>
        <source>S&amp;top</source>
        <translation>停止(&amp;T)</translation>
    </message>
    <message>
        <source>Stop the text being generated</source>
        <translation>停止正在生成的内容</translation>
    </message>
    <message>
        <source>&amp;Find…</source>
        <translation>查找(&amp;F)…</translation>
    </message>
    <message>
        <source>Search conversations or history</source>
        <translation>搜索对话或历史记录</translation>
    </message>
    <message>
        <source>&amp;Chat &amp;&amp; Write</source>
        <translation>聊天与写作(&amp;C)</translation>
    </message>
    <message>
        <source>Show the Chat &amp; Write pane</source>
        <translation>显示“聊天与写作”面板</translation>
    </message>
    <message>
        <source>&amp;Translate</source>
        <translation>翻译(&amp;T)</translation>
    </message>
    <message>
        <source>Show the Translate pane</source>
        <translation>显示“翻译”面板</translation>
    </message>
    <message>
        <source>C&amp;ode</source>
        <translation>编程(&amp;O)</translation>
    </message>
    <message>
        <source>Show the Code pane</source>
        <translation>显示“编程”面板</translation>
    </message>
    <message>
        <source>&amp;About Inkstone</source>
        <translation>关于 Inkstone(&amp;A)</translation>
    </message>
    <message>
        <source>Version and credits</source>
        <translation>版本和致谢</translation>
    </message>
    <message>
        <source>No model loaded — open a GGUF file with Ctrl+O</source>
        <translation>尚未加载模型——按 Ctrl+O 打开 GGUF 文件</translation>
    </message>
</context>
<context>
    <name>MessageWidget</name>
    <message>
        <source>You</source>
        <translation>你</translation>
    </message>
    <message>
        <source>Assistant · writing…</source>
        <translation>助手 · 正在输入…</translation>
    </message>
    <message>
        <source>Assistant</source>
        <translation>助手</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Copy this message</source>
        <translation>复制这条消息</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <source>Edit this message and send it again</source>
        <translation>编辑这条消息并重新发送</translation>
    </message>
    <message>
        <source>Regenerate</source>
        <translation>重新生成</translation>
    </message>
    <message>
        <source>Write this reply again</source>
        <translation>重新写这条回复</translation>
    </message>
    <message>
        <source>Continue</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>Let the model continue this reply</source>
        <translation>让模型接着写这条回复</translation>
    </message>
    <message>
        <source>Your message</source>
        <translation>你的消息</translation>
    </message>
    <message>
        <source>Reply</source>
        <translation>回复</translation>
    </message>
    <message>
        <source>Copy code</source>
        <translation>复制代码</translation>
    </message>
    <message>
        <source>Copy the code blocks of this reply</source>
        <translation>复制这条回复中的代码块</translation>
    </message>
    <message>
        <source>%1 chosen with %2</source>
        <translation>选中 %1，概率 %2</translation>
    </message>
    <message>
        <source>Probabilities</source>
        <translation>概率</translation>
    </message>
    <message>
        <source>Colour each token by how sure the model was; hover a token to see the alternatives</source>
        <translation>按模型的把握程度为每个 token 着色；鼠标悬停可查看备选词</translation>
    </message>
</context>
<context>
    <name>ModelBar</name>
    <message>
        <source>&amp;Model:</source>
        <translation>模型(&amp;M)：</translation>
    </message>
    <message>
        <source>Recent models</source>
        <translation>最近使用的模型</translation>
    </message>
    <message>
        <source>No model yet</source>
        <translation>尚无模型</translation>
    </message>
    <message>
        <source>Open GGUF…</source>
        <translation>打开 GGUF…</translation>
    </message>
    <message>
        <source>Open a GGUF model file (Ctrl+O)</source>
        <translation>打开 GGUF 模型文件（Ctrl+O）</translation>
    </message>
    <message>
        <source>Unload</source>
        <translation>卸载</translation>
    </message>
    <message>
        <source>Load</source>
        <translation>加载</translation>
    </message>
    <message>
        <source>Free the memory the model uses</source>
        <translation>释放模型占用的内存</translation>
    </message>
    <message>
        <source>Load the selected model</source>
        <translation>加载所选模型</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Loading progress</source>
        <translation>加载进度</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>%1 · %2 · %3 parameters · context %4</source>
        <translation>%1 · %2 · %3 参数 · 上下文 %4</translation>
    </message>
    <message>
        <source>No model loaded</source>
        <translation>未加载模型</translation>
    </message>
    <message>
        <source>Chat Template…</source>
        <translation>对话模板…</translation>
    </message>
    <message>
        <source>See or change the chat format this model&apos;s prompts are written in</source>
        <translation>查看或修改这个模型所用的对话格式</translation>
    </message>
    <message>
        <source>Prompt progress</source>
        <translation>提示词读取进度</translation>
    </message>
    <message>
        <source>Reading prompt… %1%</source>
        <translation>正在读取提示词… %1%</translation>
    </message>
    <message>
        <source>No GPU used: %1</source>
        <translation>未使用 GPU：%1</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>Conversations not saved</source>
        <translation>对话无法保存</translation>
    </message>
    <message>
        <source>The conversation database could not be opened, so nothing will be kept after you quit.
%1</source>
        <translation>无法打开对话数据库，退出后本次内容都不会保留。
%1</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>CPU threads:</source>
        <translation>CPU 线程数：</translation>
    </message>
    <message>
        <source>Context size (tokens):</source>
        <translation>上下文长度（token）：</translation>
    </message>
    <message>
        <source>When the context is full:</source>
        <translation>上下文用满时：</translation>
    </message>
    <message>
        <source>Backend:</source>
        <translation>计算后端：</translation>
    </message>
    <message>
        <source>GPU device:</source>
        <translation>GPU 设备：</translation>
    </message>
    <message>
        <source>Temperature:</source>
        <translation>温度：</translation>
    </message>
    <message>
        <source>Top-K:</source>
        <translation>Top-K：</translation>
    </message>
    <message>
        <source>Top-P:</source>
        <translation>Top-P：</translation>
    </message>
    <message>
        <source>Min-P:</source>
        <translation>Min-P：</translation>
    </message>
    <message>
        <source>Longest reply (tokens):</source>
        <translation>回复最大长度（token）：</translation>
    </message>
    <message>
        <source>Theme:</source>
        <translation>主题：</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>界面语言：</translation>
    </message>
    <message>
        <source>Font size:</source>
        <translation>字号：</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Data folder</source>
        <translation>数据文件夹</translation>
    </message>
    <message>
        <source>Data folder:</source>
        <translation>数据文件夹：</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Engine</source>
        <translation>引擎</translation>
    </message>
    <message>
        <source>Sampling</source>
        <translation>采样</translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation>外观</translation>
    </message>
    <message>
        <source>Automatic</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>系统默认</translation>
    </message>
    <message>
        <source>Drop the oldest messages, keep the system prompt</source>
        <translation>丢弃最早的消息，保留系统提示词</translation>
    </message>
    <message>
        <source>Stop and tell me</source>
        <translation>停止并提醒我</translation>
    </message>
    <message>
        <source>Automatic (GPU when available)</source>
        <translation>自动（有 GPU 时使用 GPU）</translation>
    </message>
    <message>
        <source>CPU only</source>
        <translation>仅 CPU</translation>
    </message>
    <message>
        <source>Vulkan GPU</source>
        <translation>Vulkan GPU</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <source>Default (the XDG data folder)</source>
        <translation>默认（XDG 数据文件夹）</translation>
    </message>
    <message>
        <source>Layers on the GPU:</source>
        <translation>放在 GPU 上的层数：</translation>
    </message>
    <message>
        <source>Automatic (as many as fit)</source>
        <translation>自动（放得下多少就放多少）</translation>
    </message>
    <message>
        <source>The first layers run on the GPU and the rest on the CPU; 0 runs everything on the CPU</source>
        <translation>靠前的层在 GPU 上运行，其余的交给 CPU；设为 0 则全部由 CPU 运行</translation>
    </message>
    <message>
        <source>dedicated GPU</source>
        <translation>独立显卡</translation>
    </message>
    <message>
        <source>integrated GPU</source>
        <translation>集成显卡</translation>
    </message>
    <message>
        <source>virtual GPU</source>
        <translation>虚拟 GPU</translation>
    </message>
    <message>
        <source>runs on the CPU, slow</source>
        <translation>用 CPU 模拟，较慢</translation>
    </message>
    <message>
        <source>other device</source>
        <translation>其他设备</translation>
    </message>
    <message>
        <source>Automatic (a dedicated GPU first)</source>
        <translation>自动（优先使用独立显卡）</translation>
    </message>
    <message>
        <source>%1 (%2, %3)</source>
        <translation>%1（%2，%3）</translation>
    </message>
    <message>
        <source>%1 — cannot be used</source>
        <translation>%1 — 无法使用</translation>
    </message>
    <message>
        <source>%1 (not found now)</source>
        <translation>%1（目前找不到）</translation>
    </message>
    <message>
        <source>Backend, GPU device and layers take effect the next time a model is loaded.</source>
        <translation>后端、GPU 设备和层数的更改在下次加载模型时生效。</translation>
    </message>
    <message>
        <source>This build of Inkstone has no GPU support: models run on the CPU.</source>
        <translation>此版本的 Inkstone 不支持 GPU，模型将在 CPU 上运行。</translation>
    </message>
    <message>
        <source>No Vulkan device was found, so models run on the CPU.</source>
        <translation>未找到 Vulkan 设备，模型将在 CPU 上运行。</translation>
    </message>
</context>
<context>
    <name>StatusPanel</name>
    <message>
        <source>%1 tokens/s</source>
        <translation>%1 token/秒</translation>
    </message>
    <message>
        <source>first token %1 ms</source>
        <translation>首个 token %1 毫秒</translation>
    </message>
    <message>
        <source>– tokens/s</source>
        <translation>– token/秒</translation>
    </message>
    <message>
        <source>first token – ms</source>
        <translation>首个 token – 毫秒</translation>
    </message>
    <message>
        <source>Generation speed of the last reply</source>
        <translation>上一条回复的生成速度</translation>
    </message>
    <message>
        <source>Time from sending to the first token of the last reply</source>
        <translation>上一条回复从发送到出现第一个 token 的用时</translation>
    </message>
    <message>
        <source>context %1 / %2</source>
        <translation>上下文 %1 / %2</translation>
    </message>
    <message>
        <source>Tokens of the context window in use</source>
        <translation>上下文窗口中已用的 token 数</translation>
    </message>
    <message>
        <source>Memory used by Inkstone</source>
        <translation>Inkstone 占用的内存</translation>
    </message>
    <message>
        <source>memory %1</source>
        <translation>内存 %1</translation>
    </message>
    <message>
        <source>GPU not used: the model runs on the CPU</source>
        <translation>未使用 GPU：模型在 CPU 上运行</translation>
    </message>
    <message>
        <source>The GPU failed: continuing on the CPU</source>
        <translation>GPU 出错，已改由 CPU 继续生成</translation>
    </message>
    <message>
        <source>Only part of the model fits on the GPU</source>
        <translation>GPU 只放得下模型的一部分</translation>
    </message>
</context>
<context>
    <name>TranslatePane</name>
    <message>
        <source>Back-translation: %1</source>
        <translation>回译：%1</translation>
    </message>
    <message>
        <source>Back-translation: …</source>
        <translation>回译：…</translation>
    </message>
    <message>
        <source>Detected: %1</source>
        <translation>检测到：%1</translation>
    </message>
    <message>
        <source>Detect language</source>
        <translation>自动检测</translation>
    </message>
    <message>
        <source>Source language</source>
        <translation>源语言</translation>
    </message>
    <message>
        <source>Target language</source>
        <translation>目标语言</translation>
    </message>
    <message>
        <source>Swap languages (Ctrl+Shift+S)</source>
        <translation>互换语言（Ctrl+Shift+S）</translation>
    </message>
    <message>
        <source>Swap languages</source>
        <translation>互换语言</translation>
    </message>
    <message>
        <source>Recent</source>
        <translation>最近</translation>
    </message>
    <message>
        <source>Language pairs used recently</source>
        <translation>最近使用的语言组合</translation>
    </message>
    <message>
        <source>Translate as I type</source>
        <translation>边输入边翻译</translation>
    </message>
    <message>
        <source>Type or paste text to translate</source>
        <translation>输入或粘贴要翻译的文字</translation>
    </message>
    <message>
        <source>Text to translate</source>
        <translation>待翻译文字</translation>
    </message>
    <message>
        <source>The translation appears here</source>
        <translation>译文将显示在这里</translation>
    </message>
    <message>
        <source>Translation</source>
        <translation>译文</translation>
    </message>
    <message>
        <source>Translate</source>
        <translation>翻译</translation>
    </message>
    <message>
        <source>Translate (Ctrl+Enter)</source>
        <translation>翻译（Ctrl+Enter）</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Copy the translation</source>
        <translation>复制译文</translation>
    </message>
    <message>
        <source>Check by translating back</source>
        <translation>回译核对</translation>
    </message>
    <message>
        <source>Translate the result back to the source language to check its meaning</source>
        <translation>把译文再翻译回源语言，核对意思是否准确</translation>
    </message>
    <message>
        <source>Glossary and do-not-translate list</source>
        <translation>术语表与保留原文列表</translation>
    </message>
    <message>
        <source>Term</source>
        <translation>术语</translation>
    </message>
    <message>
        <source>Translation (empty: keep as is)</source>
        <translation>译法（留空则保留原文）</translation>
    </message>
    <message>
        <source>Glossary</source>
        <translation>术语表</translation>
    </message>
    <message>
        <source>Add term</source>
        <translation>添加术语</translation>
    </message>
    <message>
        <source>Remove term</source>
        <translation>删除术语</translation>
    </message>
    <message>
        <source>Recent translations</source>
        <translation>最近的翻译</translation>
    </message>
    <message>
        <source>Search history</source>
        <translation>搜索历史记录</translation>
    </message>
</context>
<context>
    <name>WelcomePage</name>
    <message>
        <source>Welcome to Inkstone</source>
        <translation>欢迎使用 Inkstone</translation>
    </message>
    <message>
        <source>&lt;p&gt;Inkstone chats, drafts, translates and writes code with language models that run entirely on this computer. Nothing you type leaves it.&lt;/p&gt;&lt;p&gt;To begin, Inkstone needs a model file in &lt;b&gt;GGUF&lt;/b&gt; format — the kind llama.cpp, Ollama and LM Studio use:&lt;/p&gt;&lt;ol&gt;&lt;li&gt;On Hugging Face, search for a model name followed by “GGUF”, for example &lt;i&gt;Qwen2.5-0.5B-Instruct-GGUF&lt;/i&gt; (small and quick) or &lt;i&gt;Qwen2.5-7B-Instruct-GGUF&lt;/i&gt; (better answers, needs about 6 GB of memory).&lt;/li&gt;&lt;li&gt;Download one &lt;code&gt;.gguf&lt;/code&gt; file; &lt;code&gt;Q4_K_M&lt;/code&gt; is a good balance of size and quality.&lt;/li&gt;&lt;li&gt;Open it here. Inkstone remembers it for next time.&lt;/li&gt;&lt;/ol&gt;</source>
        <translation>&lt;p&gt;Inkstone 借助完全在本机运行的语言模型来聊天、起草、翻译和编写代码。你输入的任何内容都不会离开这台电脑。&lt;/p&gt;&lt;p&gt;开始之前，Inkstone 需要一个 &lt;b&gt;GGUF&lt;/b&gt; 格式的模型文件——也就是 llama.cpp、Ollama 和 LM Studio 所用的格式：&lt;/p&gt;&lt;ol&gt;&lt;li&gt;在 Hugging Face 上搜索模型名称加“GGUF”，例如 &lt;i&gt;Qwen2.5-0.5B-Instruct-GGUF&lt;/i&gt;（小巧、速度快）或 &lt;i&gt;Qwen2.5-7B-Instruct-GGUF&lt;/i&gt;（回答更好，约需 6 GB 内存）。&lt;/li&gt;&lt;li&gt;下载其中一个 &lt;code&gt;.gguf&lt;/code&gt; 文件；&lt;code&gt;Q4_K_M&lt;/code&gt; 在体积和质量之间比较均衡。&lt;/li&gt;&lt;li&gt;在这里打开它。Inkstone 下次会记住它。&lt;/li&gt;&lt;/ol&gt;</translation>
    </message>
    <message>
        <source>Open a GGUF model…</source>
        <translation>打开 GGUF 模型…</translation>
    </message>
    <message>
        <source>Look around first</source>
        <translation>先随便看看</translation>
    </message>
</context>
<context>
    <name>WritePane</name>
    <message>
        <source>formal</source>
        <translation>正式</translation>
    </message>
    <message>
        <source>friendly</source>
        <translation>亲切</translation>
    </message>
    <message>
        <source>confident</source>
        <translation>自信</translation>
    </message>
    <message>
        <source>plain and simple</source>
        <translation>简洁平实</translation>
    </message>
    <message>
        <source>Write or select some text first.</source>
        <translation>请先写一些文字或选中一段文字。</translation>
    </message>
    <message>
        <source>Open document</source>
        <translation>打开文档</translation>
    </message>
    <message>
        <source>Markdown and text (*.md *.markdown *.txt);;All files (*)</source>
        <translation>Markdown 和文本 (*.md *.markdown *.txt);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Could not open %1: %2</source>
        <translation>无法打开 %1：%2</translation>
    </message>
    <message>
        <source>Could not save %1: %2</source>
        <translation>无法保存 %1：%2</translation>
    </message>
    <message>
        <source>Save document</source>
        <translation>保存文档</translation>
    </message>
    <message>
        <source>Markdown (*.md);;Text (*.txt)</source>
        <translation>Markdown (*.md);;文本 (*.txt)</translation>
    </message>
    <message>
        <source>Could not export %1.</source>
        <translation>无法导出 %1。</translation>
    </message>
    <message>
        <source>Export document</source>
        <translation>导出文档</translation>
    </message>
    <message>
        <source>OpenDocument text (*.odt);;Web page (*.html);;Markdown (*.md);;Text (*.txt)</source>
        <translation>OpenDocument 文本 (*.odt);;网页 (*.html);;Markdown (*.md);;文本 (*.txt)</translation>
    </message>
    <message>
        <source>New</source>
        <translation>新建</translation>
    </message>
    <message>
        <source>Start a new document</source>
        <translation>新建文档</translation>
    </message>
    <message>
        <source>Open…</source>
        <translation>打开…</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Save the document</source>
        <translation>保存文档</translation>
    </message>
    <message>
        <source>Save to %1</source>
        <translation>保存到 %1</translation>
    </message>
    <message>
        <source>Save As…</source>
        <translation>另存为…</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Export as OpenDocument, HTML, Markdown or plain text</source>
        <translation>导出为 OpenDocument、HTML、Markdown 或纯文本</translation>
    </message>
    <message>
        <source>Continue writing</source>
        <translation>续写</translation>
    </message>
    <message>
        <source>Rewrite</source>
        <translation>改写</translation>
    </message>
    <message>
        <source>Shorten</source>
        <translation>缩写</translation>
    </message>
    <message>
        <source>Expand</source>
        <translation>扩写</translation>
    </message>
    <message>
        <source>Fix grammar</source>
        <translation>修正语法</translation>
    </message>
    <message>
        <source>Change tone</source>
        <translation>调整语气</translation>
    </message>
    <message>
        <source>Summarize</source>
        <translation>总结</translation>
    </message>
    <message>
        <source>Writing action</source>
        <translation>写作操作</translation>
    </message>
    <message>
        <source>Tone</source>
        <translation>语气</translation>
    </message>
    <message>
        <source>Apply to selection</source>
        <translation>应用到选中内容</translation>
    </message>
    <message>
        <source>Apply the action to the selected text, or to the whole document (Ctrl+Enter)</source>
        <translation>对选中的文字（未选中时为整篇文档）执行该操作（Ctrl+Enter）</translation>
    </message>
    <message>
        <source>Write in Markdown here. Select text and pick an action to rewrite, shorten, expand or fix it.</source>
        <translation>在这里用 Markdown 写作。选中文字后选择一个操作，即可改写、缩写、扩写或修正。</translation>
    </message>
    <message>
        <source>Document</source>
        <translation>文档</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>预览</translation>
    </message>
    <message>
        <source>Suggestion — review the changes, then accept or reject them</source>
        <translation>修改建议——查看改动后选择接受或拒绝</translation>
    </message>
    <message>
        <source>Accept</source>
        <translation>接受</translation>
    </message>
    <message>
        <source>Reject</source>
        <translation>拒绝</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Suggested changes</source>
        <translation>建议的改动</translation>
    </message>
    <message>
        <source>No recent documents</source>
        <translation>没有最近的文档</translation>
    </message>
    <message>
        <source>Recent</source>
        <translation>最近</translation>
    </message>
    <message>
        <source>Documents opened or saved recently</source>
        <translation>最近打开或保存的文档</translation>
    </message>
</context>
</TS>
