#pragma once
// What the main window asks of every pane: the window's shortcuts (Ctrl+Enter, Esc, Ctrl+F)
// act on the current pane through this interface, and the status bar listens to its stats.

#include "ServiceTypes.h"

#include <QWidget>

class Pane : public QWidget {
    Q_OBJECT
public:
    using QWidget::QWidget;

    virtual void submit() = 0;       // Ctrl+Enter
    virtual void stop() = 0;         // Esc
    virtual void focusSearch() {}    // Ctrl+F
    virtual bool isBusy() const = 0;

signals:
    void statsReady(const GenerationStats& stats);
    void busyChanged(bool busy);
    void failureOccurred(const ServiceFailure& failure);

protected:
    void changeEvent(QEvent* event) override;
    virtual void retranslate() = 0;
};
