#pragma once
// Where the Convert and Profile pages take a quality text from (quality_text.h): the held-out text shipped with the
// workbench (the default, said so on screen), or a .txt file or a folder of .txt files chosen in a file dialog; and
// the token budget that keeps a measurement to seconds on a CPU. A file is only read when a measurement runs: what
// is wrong with it (unreadable, empty, binary) is then said inline by the page.
#include "quality_text.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QSpinBox;
class QToolButton;

namespace spw::ui {

class QualityTextPicker : public QWidget {
    Q_OBJECT
public:
    explicit QualityTextPicker(QWidget* parent = nullptr);

    QualityTextChoice choice() const;
    // An empty path goes back to the shipped text.
    void setPath(const QString& path);
    void setMaxTokens(std::int64_t tokens);

    QComboBox* sourceBox() const { return m_source; }
    QSpinBox* budgetBox() const { return m_budget; }

Q_SIGNALS:
    // The text or the budget changed: results measured before no longer match.
    void choiceChanged();

private:
    void chooseFile();
    void chooseFolder();
    void updateNote();

    QComboBox* m_source = nullptr;
    QToolButton* m_choose = nullptr;
    QSpinBox* m_budget = nullptr;
    QLabel* m_note = nullptr;
};

} // namespace spw::ui
