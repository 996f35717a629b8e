#pragma once
// The Convert & export page's masked-LM quality comparison: the text to score (the shipped held-out text by default,
// or a chosen file or folder) and its token budget, a button that asks the page to measure, and the results: the
// original model against the converted one (and the extension alone, when the length grows), with a note saying
// what was scored. A model that cannot be scored (no masked-LM head, no tokenizer) gets an inline message saying
// why and the button stays off. Results whose inputs changed since stay on screen greyed, marked stale.
#include "convert/conversion_jobs.h"

#include <QWidget>

class QLabel;
class QPushButton;
class QTableView;

namespace spw::ui {

class InlineMessage;
class QualityTableModel;
class QualityTextPicker;

class QualityPanel : public QWidget {
    Q_OBJECT
public:
    explicit QualityPanel(QWidget* parent = nullptr);

    QualityTextChoice choice() const;
    // Why the model cannot be scored (qualityUnavailableReason), or empty when it can.
    void setUnavailableReason(const QString& reason);
    // Whether the page can start a job now (a valid preview, nothing running).
    void setMeasureEnabled(bool enabled);
    void showReport(const QualityReport& report);
    // A measurement that failed: its reason inline, under the button.
    void showError(const QString& message);
    // Takes a failure's message away (the reason the model cannot be scored stays).
    void clearError();
    void clear();
    // A measurement cancelled before it finished: results on show keep their state (current, or marked stale); with
    // none, the note says that nothing was measured.
    void showCancelled();
    // As DriftPanel::markStale; no-op without results.
    void markStale(const QString& why);
    bool isStale() const { return m_stale; }

    // The message on show (the reason the model cannot be scored, or a failure); empty when none.
    QString messageText() const;
    QString noteText() const;
    QualityTableModel* model() const { return m_model; }
    QualityTextPicker* picker() const { return m_picker; }
    QPushButton* measureButton() const { return m_measure; }

Q_SIGNALS:
    void measureRequested();

private:
    void updateButton();

    QualityTextPicker* m_picker = nullptr;
    QPushButton* m_measure = nullptr;
    InlineMessage* m_message = nullptr;
    QLabel* m_note = nullptr;
    QLabel* m_staleNote = nullptr;
    QualityTableModel* m_model = nullptr;
    QTableView* m_view = nullptr;
    QString m_unavailable;
    bool m_enabled = false;
    bool m_hasReport = false;
    bool m_stale = false;
};

} // namespace spw::ui
