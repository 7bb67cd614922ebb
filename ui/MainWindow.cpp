#include "MainWindow.h"

#include <QLabel>
#include <QStatusBar>
#include <QTabWidget>

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent)
{
    setWindowTitle(tr("Inkstone"));
    auto* tabs = new QTabWidget(this);
    tabs->addTab(new QLabel(tr("Chat & Write")), tr("Chat && Write"));
    tabs->addTab(new QLabel(tr("Translate")), tr("Translate"));
    tabs->addTab(new QLabel(tr("Code")), tr("Code"));
    setCentralWidget(tabs);
    statusBar()->showMessage(tr("No model loaded"));
}
