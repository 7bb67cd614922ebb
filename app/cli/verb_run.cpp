// inkstone-cli run: generate text from a prompt, streamed to stdout as it is produced.
// Ctrl-C stops generation cleanly (the engine's cancel flag), statistics go to stderr.

#include "core/ProcessMemory.h"
#include "EngineArgs.h"

#include "chat/ChatTemplate.h"
#include "runtime/Model.h"
#include "runtime/Session.h"
#include "tokenizer/Tokenizer.h"

#include <atomic>
#include <csignal>
#include <cstdio>

namespace {

const char kUsage[] =
    "Usage: inkstone-cli run -m MODEL -p TEXT [-n N] [--temp T] [--top-k K] [--top-p P] [--min-p P]\n"
    "                        [--repeat-penalty R] [--seed S] [-t N] [-c N] [--backend auto|cpu|vulkan]\n"
    "                        [--gpu-layers N] [--kv f16|f32] [--chat] [--stop TEXT]... [--ignore-eos]\n"
    "                        [--context-shift KEEP]\n"
    "\n"
    "Generates text after the prompt and streams it to stdout. With --chat the prompt is sent as\n"
    "a user message through the model's chat template. Statistics are printed on stderr.\n"
    "\n"
    "Options:\n"
    "  -m MODEL            the GGUF model file\n"
    "  -p TEXT             the prompt\n"
    "  -n N                tokens to generate at most (default 128; -1: until EOS or a full context)\n"
    "  --temp T            temperature (default 0.8; 0 = greedy)\n"
    "  --top-k K           default 40 (0 = off)\n"
    "  --top-p P           default 0.95 (1 = off)\n"
    "  --min-p P           default 0.05 (0 = off)\n"
    "  --repeat-penalty R  default 1.0 (off)\n"
    "  --seed S            random seed (default: random)\n"
    "  -t N                threads (default: one per core, at most 8)\n"
    "  -c N                context length (default: the model's, at most 4096)\n"
    "  --backend B         auto (default), cpu or vulkan\n"
    "  --gpu-layers N      layers on the GPU, the rest on the CPU (default: as many as fit)\n"
    "  --kv T              KV cache type: f16 (default) or f32\n"
    "  --chat              apply the model's chat template to the prompt\n"
    "  --stop TEXT         stop when TEXT appears (not printed); may be repeated\n"
    "  --ignore-eos        keep generating after the end-of-text token\n"
    "  --context-shift K   when the context is full, keep the first K tokens, drop the oldest\n"
    "                      half of the rest and go on (default: stop there)\n"
    "  -h, --help          show this help\n"
    "\n"
    "Exit status: 0 ok, 1 bad usage, 2 bad input (unreadable model, prompt too long ...).\n";

std::atomic<bool> g_cancel{false};

extern "C" void onInterrupt(int)
{
    g_cancel.store(true);
}

int runRun(const QStringList& args)
{
    cli::EngineArgs engineArgs;
    engine::SamplingParams sampling;
    sampling.maxTokens = 128;
    QString prompt;
    bool havePrompt = false;
    bool chat = false;
    QString error;
    for (int i = 1; i < args.size(); ++i) {
        const QString& a = args.at(i);
        auto real = [&](float& target) {
            if (auto v = cli::optionValue(args, i, error)) {
                if (auto d = cli::parseReal(*v))
                    target = static_cast<float>(*d);
                else
                    error = QStringLiteral("option '%1': '%2' is not a number").arg(a, *v);
            }
        };
        if (a == QLatin1String("--help") || a == QLatin1String("-h")) {
            std::fputs(kUsage, stdout);
            return cli::ExitOk;
        }
        if (engineArgs.take(args, i, error)) {
        } else if (a == QLatin1String("-p") || a == QLatin1String("--prompt")) {
            if (auto v = cli::optionValue(args, i, error)) {
                prompt = *v;
                havePrompt = true;
            }
        } else if (a == QLatin1String("-n") || a == QLatin1String("--n-predict")) {
            if (auto v = cli::optionValue(args, i, error)) {
                if (auto n = cli::parseInteger(*v, -1, 1 << 24))
                    sampling.maxTokens = static_cast<int>(*n);
                else
                    error = QStringLiteral("-n must be -1 or a token count, not '%1'").arg(*v);
            }
        } else if (a == QLatin1String("--temp")) {
            real(sampling.temperature);
        } else if (a == QLatin1String("--top-k")) {
            float k = 0;
            real(k);
            sampling.topK = static_cast<int>(k);
        } else if (a == QLatin1String("--top-p")) {
            real(sampling.topP);
        } else if (a == QLatin1String("--min-p")) {
            real(sampling.minP);
        } else if (a == QLatin1String("--repeat-penalty")) {
            real(sampling.repetitionPenalty);
        } else if (a == QLatin1String("--seed")) {
            if (auto v = cli::optionValue(args, i, error)) {
                bool ok = false;
                const qulonglong s = v->toULongLong(&ok);
                if (ok)
                    sampling.seed = s;
                else
                    error = QStringLiteral("--seed must be a non-negative integer, not '%1'").arg(*v);
            }
        } else if (a == QLatin1String("--stop")) {
            if (auto v = cli::optionValue(args, i, error))
                sampling.stopStrings.push_back(v->toStdString());
        } else if (a == QLatin1String("--chat")) {
            chat = true;
        } else if (a == QLatin1String("--ignore-eos")) {
            sampling.ignoreEos = true;
        } else if (a == QLatin1String("--context-shift")) {
            if (auto v = cli::optionValue(args, i, error)) {
                if (auto n = cli::parseInteger(*v, 0, 1 << 20)) {
                    engineArgs.load.contextPolicy = engine::ContextPolicy::Shift;
                    engineArgs.load.keepTokens = static_cast<int>(*n);
                } else {
                    error = QStringLiteral("--context-shift needs a number of tokens to keep, not '%1'").arg(*v);
                }
            }
        } else {
            return cli::failUsage(QStringLiteral("unknown option '%1' (see inkstone-cli run --help)").arg(a));
        }
        if (!error.isEmpty())
            return cli::failUsage(error);
    }
    if (engineArgs.model.isEmpty())
        return cli::failUsage(QStringLiteral("no model given (-m MODEL)"));
    if (!havePrompt)
        return cli::failUsage(QStringLiteral("no prompt given (-p TEXT)"));

    auto model = engine::Model::load(engineArgs.model.toStdString(), engineArgs.load);
    if (!model)
        return cli::failEngine(engineArgs.model, model.error().message());
    const engine::Model& m = **model;
    const engine::tokenizer::Tokenizer& tok = m.tokenizer();

    std::string text = prompt.toStdString();
    bool parseSpecial = false;
    if (chat) {
        const auto modelTemplate = m.info().chatTemplate.empty() ? std::nullopt : std::optional<std::string>(m.info().chatTemplate);
        engine::chat::TemplateChoice choice = engine::chat::chooseTemplate(std::nullopt, modelTemplate);
        if (choice.problem)
            std::fprintf(stderr, "warning: the model's chat template cannot be used (%s); using a plain transcript\n",
                         choice.problem->message().c_str());
        engine::chat::ChatRequest request;
        request.messages = engine::chat::messagesValue({{"user", text}});
        if (!m.info().bosText.empty())
            request.bosToken = m.info().bosText;
        if (!m.info().eosText.empty())
            request.eosToken = m.info().eosText;
        request.now = engine::chat::currentDateTime();
        auto rendered = choice.chosen.apply(request);
        if (!rendered)
            return cli::failEngine(QStringLiteral("chat template"), rendered.error().message());
        text = *rendered;
        parseSpecial = true;   // the template's own control tokens
    }
    // BOS as the model asks, unless the template already wrote it.
    const bool bosInText = !m.info().bosText.empty() && text.rfind(m.info().bosText, 0) == 0;
    std::vector<int32_t> ids = tok.encode(text, !bosInText, parseSpecial);
    if (ids.empty())
        return cli::failUsage(QStringLiteral("the prompt is empty"));

    auto session = engine::Session::create(*model);
    if (!session)
        return cli::failEngine(engineArgs.model, session.error().message());
    std::signal(SIGINT, onInterrupt);
    auto stats = (*session)->generate(ids, sampling, [](const engine::TokenEvent& e) {
        if (!e.text.empty()) {
            std::fwrite(e.text.data(), 1, e.text.size(), stdout);
            std::fflush(stdout);
        }
        return true;
    }, g_cancel);
    std::signal(SIGINT, SIG_DFL);
    std::fputc('\n', stdout);
    if (!stats)
        return cli::failEngine(QString(), stats.error().message());
    cli::printBackendNote(**session);
    const engine::GenerationStats& s = *stats;
    const double peakMiB = static_cast<double>(engine::peakResidentBytes().value_or(0)) / (1024.0 * 1024.0);
    std::fprintf(stderr,
                 "\n%s\nprompt: %d tokens (%d reused), %.2f tokens/s; generated: %d tokens, %.2f tokens/s; "
                 "first token after %.0f ms; context shifts: %d; stop: %s; peak memory: %.0f MiB\n",
                 m.info().backendDescription.c_str(), s.promptTokens, s.reusedTokens, s.prefillTokensPerSecond,
                 s.generatedTokens, s.decodeTokensPerSecond, s.timeToFirstTokenMs, s.contextShifts, engine::stopReasonName(s.stopReason), peakMiB);
    return cli::ExitOk;
}

const cli::VerbRegistration registration({"run", "generate text from a prompt, streamed to stdout", runRun});

} // namespace
