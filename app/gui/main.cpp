#include "MainWindow.h"

#include <QApplication>
#include <cstdio>
#include <cstring>

int main(int argc, char** argv)
{
    // QApplication aborts without a display, so these two are answered before it exists.
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--version") == 0) {
            std::printf("inkstone %s\n", INKSTONE_VERSION);
            return 0;
        }
        if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
            std::printf("Usage: inkstone [MODEL.gguf]\n\nInkstone: chat, write, translate and code with local language models.\n");
            return 0;
        }
    }
    QApplication app(argc, argv);
    MainWindow window;
    window.resize(1100, 720);
    window.show();
    return app.exec();
}
