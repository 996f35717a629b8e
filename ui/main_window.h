#pragma once
// The workbench window: wires the pages (Model, Layout designer, Convert & export, Profile), a menu bar with the
// standard shortcuts, and a status bar that follows the job runner (progress and a Cancel button). No page logic
// lives here.
#include <QMainWindow>

class QAction;
class QLabel;
class QProgressBar;
class QTabWidget;
class QToolButton;

namespace spw::ui {

class ConvertPage;
class JobRunner;
class LayoutDesignerPage;
class ModelPage;
class ProfilePage;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // The names --page accepts, in tab order: model, layout, convert, profile.
    static QStringList pageNames();
    bool selectPage(const QString& name);
    QString currentPageName() const;

    JobRunner* jobRunner() const { return m_runner; }
    LayoutDesignerPage* layoutPage() const { return m_layoutPage; }
    ModelPage* modelPage() const { return m_modelPage; }
    ConvertPage* convertPage() const { return m_convertPage; }
    ProfilePage* profilePage() const { return m_profilePage; }
    // The menu bar's actions, by their objectName ("undo", "redo", "openModel", "help", ...).
    QAction* action(const QString& name) const;

    // The last session (workbench_settings.h): window geometry, splitter sizes and the designer's configuration.
    // Saved when the window closes; restored by the GUI's main unless it documents (--screenshot).
    void restoreSession();
    void saveSession() const;

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildMenus();
    void showHelp();
    void showAbout();
    void onJobStarted();
    void onJobProgressed(float fraction);
    void onIdle();

    JobRunner* m_runner = nullptr;
    QTabWidget* m_tabs = nullptr;
    ModelPage* m_modelPage = nullptr;
    LayoutDesignerPage* m_layoutPage = nullptr;
    ConvertPage* m_convertPage = nullptr;
    ProfilePage* m_profilePage = nullptr;
    QLabel* m_status = nullptr;
    QProgressBar* m_progress = nullptr;
    QToolButton* m_cancel = nullptr;
};

} // namespace spw::ui
