#pragma once
// Where Convert & export writes the converted model: a folder chooser (an existing folder) and a name for a new
// folder inside it. With the name left empty the export goes into the chosen folder itself, replacing it; the
// engine's rules decide what may be replaced (engine/export/staging_folder.h: only an empty folder or a model
// folder; engine/export/export_destination.h: never the source), and the dialog says, as the fields change, where
// the export goes or why it cannot. Accepting onto an existing folder that holds anything asks "Replace folder?"
// first.
#include <QDialog>

class QLabel;
class QLineEdit;
class QPushButton;

namespace spw::ui {

class ExportFolderDialog : public QDialog {
    Q_OBJECT
public:
    // `sourceDirectory`: the loaded model's folder, which is never a destination.
    ExportFolderDialog(
        const QString& sourceDirectory, const QString& startFolder, const QString& suggestedName, QWidget* parent);

    void setFolder(const QString& folder);
    void setName(const QString& name);
    // The export's folder: folder/name, or the folder itself when the name is empty.
    QString destination() const;
    // Whether the destination exists (and so is replaced once the export is complete).
    bool replaces() const;
    // Where the export goes, or why it cannot go there.
    QString statusText() const;
    QPushButton* exportButton() const { return m_export; }

    void accept() override;

private:
    void chooseFolder();
    void updateStatus();

    QString m_source;
    QLineEdit* m_folder = nullptr;
    QLineEdit* m_name = nullptr;
    QLabel* m_status = nullptr;
    QPushButton* m_export = nullptr;
    bool m_valid = false;
};

} // namespace spw::ui
