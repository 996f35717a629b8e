#pragma once
// The Model page: open a BERT/RoBERTa checkpoint folder (Open folder…, drag and drop, or a recent folder), or the
// built-in demo model; see its configuration, its parameters per module, and how a text tokenizes into attention
// blocks at the designer's block size. Loading runs through the job runner with progress and Cancel; a folder
// that fails to load shows the engine's message inline and the model already open stays.
#include "model/demo_model.h"
#include "model/loaded_model.h"
#include "model/model_sparsity.h"

#include <QWidget>

class QDragEnterEvent;
class QDropEvent;
class QLabel;
class QPushButton;
class QToolButton;
class QTreeView;
class QTableView;

namespace spw::ui {

class InlineMessage;
class JobProgressRow;
class JobRunner;
class KeyValueModel;
class ParameterTreeModel;
class TokenView;

class ModelPage : public QWidget {
    Q_OBJECT
public:
    ModelPage(JobRunner* runner, QWidget* parent = nullptr);
    ~ModelPage() override;

    void openFolder(const QString& directory);
    // The shipped trained demo model, or the random-weights one where the shipped folder is missing (off the GUI
    // thread).
    void openDemoModel();
    // The random-weights demo model of that shape: created in the cache on first use, then loaded.
    void openRandomDemoModel(const DemoModelShape& shape = {});
    void cancelLoading();
    void setBlockSize(int block);
    // Asks for a checkpoint folder and opens it (Open folder…, and the window's File menu).
    void chooseFolder();

    const LoadedModel& model() const { return m_model; }
    bool isLoading() const { return m_loading; }
    QString errorText() const;
    QStringList recentFolders() const;

    KeyValueModel* configModel() const { return m_config; }
    ParameterTreeModel* parameterModel() const { return m_parameters; }
    TokenView* tokenView() const { return m_tokens; }

Q_SIGNALS:
    void modelLoaded(const spw::ui::LoadedModel& model);
    void loadFailed(const QString& message);
    // "Open in designer" was clicked for the open model's own sparse attention (a converted model).
    void sparsityOpened(const spw::ui::ModelSparsity& sparsity);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    QWidget* buildToolbar();
    QWidget* buildSummary();
    void startLoad(const QString& description, std::function<LoadedModel(const ProgressCallback&)> work);
    void setLoading(bool loading, const QString& description = {});
    void showModel(LoadedModel model);
    void showError(const QString& message);
    void rebuildRecentMenu();

    JobRunner* m_runner = nullptr;
    LoadedModel m_model;
    bool m_loading = false;
    quint64 m_loadGeneration = 0;

    QToolButton* m_recent = nullptr;
    QLabel* m_title = nullptr;
    QLabel* m_path = nullptr;
    QLabel* m_demoNote = nullptr;
    InlineMessage* m_error = nullptr;
    JobProgressRow* m_loadRow = nullptr;
    QLabel* m_facts = nullptr;
    QLabel* m_sparsity = nullptr;
    QPushButton* m_openSparsity = nullptr;
    KeyValueModel* m_config = nullptr;
    ParameterTreeModel* m_parameters = nullptr;
    QTableView* m_configView = nullptr;
    QTreeView* m_parameterView = nullptr;
    TokenView* m_tokens = nullptr;
};

} // namespace spw::ui
