#pragma once
// The Convert & export page: extend the loaded model's positions to a new maximum length and/or give chosen layers
// the Layout designer's block-sparse attention; preview the effect (table sizes, layers, attention cost), compare
// a converted copy with the loaded model on the sample text (output drift, table and chart), and export the
// converted copy as a HuggingFace folder. Every job converts its own copy, reloaded from the model's folder: the
// model the other pages show is never modified. Beside the drift, the masked-LM quality of the original and of the
// conversion on a text (QualityPanel), for models with a masked-LM head.
#include "convert/conversion_jobs.h"
#include "model/loaded_model.h"
#include "sparsity/sparsity_config.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QListWidget;
class QPushButton;
class QSpinBox;
class QTabWidget;
class QTableView;
class QTimer;

namespace spw::ui {

class DriftChart;
class DriftPanel;
class DriftTableModel;
class InlineMessage;
class JobProgressRow;
class JobRunner;
class KeyValueModel;
class QualityPanel;

class ConvertPage : public QWidget {
    Q_OBJECT
public:
    ConvertPage(JobRunner* runner, QWidget* parent = nullptr);
    ~ConvertPage() override;

    void setModel(const LoadedModel& model);
    // The designer's configuration and its name; offered beside "none: extend positions only".
    void setSparsity(const SparsityConfig& config, const QString& name);
    void setSampleText(const QString& text);

    // The form, as the jobs receive it.
    ConversionSettings settings() const;
    void setMaxLength(std::int64_t length); // the model's own maximum: keep it
    void setUseSparsity(bool use);
    void setLayerChecked(int layer, bool checked);
    void setSeed(std::uint64_t seed);

    void compare();
    // Measures the masked-LM quality of the original and of the conversion on the quality panel's text.
    void measureQuality();
    // `replace`: an existing folder there is replaced (chooseExportFolder asks the user first).
    void exportTo(const QString& directory, bool replace = false);
    void cancel();

    bool isBusy() const { return m_busy; }
    QString errorText() const;
    QString successText() const;
    KeyValueModel* previewModel() const { return m_preview; }
    DriftTableModel* driftModel() const;
    DriftChart* driftChart() const;
    DriftPanel* driftPanel() const { return m_driftPanel; }
    QualityPanel* qualityPanel() const { return m_qualityPanel; }
    const ConversionPreviewResult& preview() const { return m_previewResult; }

Q_SIGNALS:
    void previewShown();
    void compareFinished();
    void qualityFinished();
    void exportFinished(const QString& directory);
    void jobFailed(const QString& message);

private:
    QWidget* buildForm();
    QWidget* buildResults();
    // Every change of the form: a new preview, and comparison results that no longer match.
    void schedulePreview();
    void startPreview();
    void startJob(const QString& description);
    void endJob();
    // Cancelled here or from the status bar: a job that reports nothing.
    void endCancelledJob();
    void showError(const QString& message);
    void showSuccess(const QString& message);
    void clearMessages();
    void chooseExportFolder();
    void updateButtons();

    JobRunner* m_runner = nullptr;
    LoadedModel m_model;
    std::optional<SparsityConfig> m_designerConfig;
    QString m_designerName;
    QString m_sampleText;
    ConversionPreviewResult m_previewResult;
    bool m_previewValid = false;
    bool m_busy = false;
    bool m_measuringQuality = false; // the running job is the quality panel's
    quint64 m_jobGeneration = 0;

    QLabel* m_source = nullptr;
    QSpinBox* m_maxLength = nullptr;
    QComboBox* m_sparsity = nullptr;
    QListWidget* m_layers = nullptr;
    QSpinBox* m_seed = nullptr;
    QPushButton* m_compare = nullptr;
    QPushButton* m_export = nullptr;
    JobProgressRow* m_jobRow = nullptr;
    InlineMessage* m_error = nullptr;
    InlineMessage* m_success = nullptr;
    KeyValueModel* m_preview = nullptr;
    QTableView* m_previewView = nullptr;
    QTabWidget* m_resultTabs = nullptr; // the drift and the quality
    DriftPanel* m_driftPanel = nullptr;
    QualityPanel* m_qualityPanel = nullptr;
    QTimer* m_previewTimer = nullptr;
};

} // namespace spw::ui
