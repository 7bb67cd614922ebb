#include "AppIcon.h"
#include "Appearance.h"
#include "ConversationStore.h"
#include "EngineClient.h"
#include "MainWindow.h"
#include "SettingsKeys.h"

#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QMessageBox>
#include <QSettings>

#include <cstdio>
#include <cstring>

#if defined(INKSTONE_HAVE_VULKAN)
#include "VulkanSupport.h"
#endif

namespace {

// The database lives in the data folder from the settings, or the XDG data location.
QString databasePath()
{
    const QString folder = QSettings().value(SettingsKeys::dataFolder).toString();
    return folder.isEmpty() ? ConversationStore::defaultPath() : QDir(folder).filePath(QStringLiteral("inkstone.sqlite"));
}

} // namespace

int main(int argc, char** argv)
{
    // QApplication aborts without a display, so these two are answered before it exists.
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--version") == 0) {
            std::printf("inkstone %s\n", INKSTONE_VERSION);
            return 0;
        }
        if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
            std::printf("Usage: inkstone [MODEL.gguf]\n\n"
                        "Inkstone: chat, write, translate and code with local language models.\n\n"
                        "  MODEL.gguf   open this model at start (otherwise the last one used)\n"
                        "  --version    print the version and exit\n"
                        "  --help       print this help and exit\n");
            return 0;
        }
    }
    QApplication app(argc, argv);
#if defined(INKSTONE_HAVE_VULKAN)
    // Backend "auto" and "vulkan" reach the GPU through the engine's factory hook, on the
    // device chosen in Settings; Settings lists the devices through GpuSupport.
    VulkanSupport::install();
#endif
    QApplication::setOrganizationName(QStringLiteral("Inkstone"));
    QApplication::setApplicationName(QStringLiteral("inkstone"));
    QApplication::setApplicationDisplayName(QStringLiteral("Inkstone"));
    QApplication::setApplicationVersion(QStringLiteral(INKSTONE_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("io.github.inkstone.Inkstone"));
    QApplication::setWindowIcon(AppIcon::icon());

    Appearance appearance;
    appearance.applySettings();

    ConversationStore store;
    QString storeError;
    if (!store.open(databasePath())) {
        // Keep working in memory rather than refusing to start; say so once the window is up.
        storeError = store.lastError();
        (void)store.open(QStringLiteral(":memory:"));
    }

    EngineClient engine;
    MainWindow window(&engine, &store, &appearance);
    window.resize(1180, 760);
    window.show();
    if (!storeError.isEmpty()) {
        QMessageBox::warning(&window, QObject::tr("Conversations not saved"),
                             QObject::tr("The conversation database could not be opened, so nothing will be kept "
                                         "after you quit.\n%1").arg(storeError));
    }

    const QStringList args = QApplication::arguments().mid(1);
    QString model = args.isEmpty() ? QString() : args.constFirst();
    if (model.isEmpty()) {
        const QString last = QSettings().value(SettingsKeys::lastModel).toString();
        if (QFileInfo::exists(last))
            model = last;
    }
    if (!model.isEmpty())
        window.loadModel(model);
    return app.exec();
}
