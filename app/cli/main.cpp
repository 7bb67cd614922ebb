#include "Verb.h"

#include <QCoreApplication>
#include <QTextStream>

#include <algorithm>
#include <cstdio>

#if defined(INKSTONE_HAVE_VULKAN)
#include "VulkanBackend.h"
#endif

namespace cli {

static std::vector<Verb>& registry()
{
    static std::vector<Verb> list;
    return list;
}

VerbRegistration::VerbRegistration(Verb verb)
{
    registry().push_back(std::move(verb));
}

const std::vector<Verb>& verbs()
{
    auto& list = registry();
    std::sort(list.begin(), list.end(), [](const Verb& a, const Verb& b) { return qstrcmp(a.name, b.name) < 0; });
    return list;
}

int failInput(const QString& message)
{
    std::fprintf(stderr, "error: %s\n", message.toLocal8Bit().constData());
    return ExitBadInput;
}

int failUsage(const QString& message)
{
    std::fprintf(stderr, "error: %s\n", message.toLocal8Bit().constData());
    return ExitUsage;
}

} // namespace cli

static void printUsage(FILE* out)
{
    std::fprintf(out, "Usage: inkstone-cli VERB [options]\n\nInkstone's command-line tools.\n\nVerbs:\n");
    for (const cli::Verb& verb : cli::verbs())
        std::fprintf(out, "  %-12s %s\n", verb.name, verb.summary);
    std::fprintf(out, "\nRun 'inkstone-cli VERB --help' for the options of a verb.\n");
}

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
#if defined(INKSTONE_HAVE_VULKAN)
    // --backend auto|vulkan reach the GPU through the engine's factory hook (model/Backend.h).
    engine::gpu::registerVulkanBackend();
#endif
    QCoreApplication::setApplicationName(QStringLiteral("inkstone-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(INKSTONE_VERSION));

    const QStringList args = QCoreApplication::arguments();
    if (args.size() < 2) {
        printUsage(stderr);
        return cli::ExitUsage;
    }
    const QString verbName = args.at(1);
    if (verbName == QLatin1String("--help") || verbName == QLatin1String("-h") || verbName == QLatin1String("help")) {
        printUsage(stdout);
        return cli::ExitOk;
    }
    if (verbName == QLatin1String("--version")) {
        std::printf("inkstone-cli %s\n", INKSTONE_VERSION);
        return cli::ExitOk;
    }
    for (const cli::Verb& verb : cli::verbs()) {
        if (verbName == QLatin1String(verb.name)) {
            QStringList verbArgs = args.mid(2);
            verbArgs.prepend(QStringLiteral("inkstone-cli ") + verbName);
            return verb.run(verbArgs);
        }
    }
    return cli::failUsage(QStringLiteral("unknown verb '%1' (see inkstone-cli --help)").arg(verbName));
}
