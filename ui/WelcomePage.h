#pragma once
// What a first start shows before any model is loaded: what Inkstone needs and how to get it.

#include <QWidget>

class QLabel;
class QPushButton;

class WelcomePage : public QWidget {
    Q_OBJECT
public:
    explicit WelcomePage(QWidget* parent = nullptr);

signals:
    void openRequested();
    void skipRequested();

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();

    QLabel* m_title = nullptr;
    QLabel* m_body = nullptr;
    QPushButton* m_open = nullptr;
    QPushButton* m_skip = nullptr;
};
