#pragma once
// One row for a page's long job: what it is doing, how far it has got, and a Cancel button. Hidden until the job
// starts and again once it ends; the page decides what Cancel does (cancelRequested).
#include <QWidget>

class QLabel;
class QProgressBar;

namespace spw::ui {

class JobProgressRow : public QWidget {
    Q_OBJECT
public:
    // The bar and the button take the object names the page gives them, the names its tests find them by.
    JobProgressRow(
        const QString& progressName, const QString& cancelName, int progressMaxWidth, QWidget* parent = nullptr);

    // Shows the row with `description` and an empty bar.
    void start(const QString& description);
    // `fraction` in [0, 1], as the job runner reports it.
    void setProgress(float fraction);
    void finish();

Q_SIGNALS:
    void cancelRequested();

private:
    QLabel* m_description = nullptr;
    QProgressBar* m_progress = nullptr;
};

} // namespace spw::ui
