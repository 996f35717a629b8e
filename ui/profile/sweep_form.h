#pragma once
// The Profile page's setup: model (the Model page's, or an in-memory demo encoder), layouts (the designer's
// configuration and the presets, checkable), sequence lengths and batch sizes (validated as you type, the reason
// shown under the field), device (cuda only when the engine has one), dtype, repeats, warm-up, padding fraction;
// and whether to score masked-LM quality on a text at each length (only for a loaded model with a masked-LM head and
// its tokenizer: otherwise the box is off, its tooltip saying why).
#include "model/loaded_model.h"
#include "profile/sweep_request.h"
#include "sparsity/sparsity_config.h"

#include <QWidget>

#include <optional>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QSpinBox;

namespace spw::ui {

class QualityTextPicker;

class SweepForm : public QWidget {
    Q_OBJECT
public:
    explicit SweepForm(QWidget* parent = nullptr);

    // The model the Model page has open becomes the one swept (the demo stays in the model box).
    void setLoadedModel(const LoadedModel& model);
    void setDemoShape(const DemoEncoderShape& shape);
    // The designer's configuration, the first layout in the list (its head count is the model's when swept).
    void setDesignerConfig(const SparsityConfig& config, const QString& name);
    // Fills the fields from a report's "settings" (restored results); unknown or missing keys are left alone. Quality
    // on text, when the report measured it, is checked (with its text and budget) once a model that can score is in.
    void applySettings(const nlohmann::json& settings);
    // Checks only these layouts (by their names in the list), for tests and restored results.
    void checkLayouts(const QStringList& names);

    // The request the fields describe, or nullopt with every bad field's reason shown inline and the first in
    // *error.
    std::optional<SweepRequest> request(QString* error);

    QLineEdit* lengthsEdit() const { return m_lengths; }
    QLineEdit* batchesEdit() const { return m_batches; }
    QLabel* lengthsError() const { return m_lengthsError; }
    QLabel* batchesError() const { return m_batchesError; }
    QListWidget* layoutList() const { return m_layouts; }
    QComboBox* modelBox() const { return m_modelBox; }
    QComboBox* deviceBox() const { return m_device; }
    QSpinBox* repeatsBox() const { return m_repeats; }
    QSpinBox* warmupBox() const { return m_warmup; }
    QDoubleSpinBox* paddingBox() const { return m_padding; }
    QLabel* layoutsError() const { return m_layoutsError; }
    QCheckBox* qualityBox() const { return m_quality; }
    QualityTextPicker* qualityPicker() const { return m_qualityPicker; }

private:
    QWidget* buildModelGroup();
    QWidget* buildLayoutGroup();
    QWidget* buildSweepGroup();
    QWidget* buildQualityGroup();
    // The quality box: enabled only for a model that can be scored, its tooltip saying why not.
    void updateQualityBox();
    std::optional<std::vector<std::int64_t>> checkList(
        QLineEdit* edit, QLabel* error, const QString& field, std::int64_t maximum, QString* reason);
    std::optional<std::vector<ProfileLayout>> checkedLayouts(QString* reason);
    void showFieldError(QLineEdit* edit, QLabel* label, const QString& message);
    void updateModelNote();

    LoadedModel m_model;
    DemoEncoderShape m_demo;
    std::optional<SparsityConfig> m_designerConfig;
    QString m_designerName;
    // Restored settings were swept on the in-memory demo: a model arriving from the Model page is offered, not
    // chosen, until the user picks it.
    bool m_keepDemo = false;
    // Restored settings measured quality: check the box as soon as it can be checked (once; then it is the user's).
    bool m_restoredQuality = false;

    QComboBox* m_modelBox = nullptr;
    QLabel* m_modelNote = nullptr;
    QListWidget* m_layouts = nullptr;
    QLabel* m_layoutsError = nullptr;
    QLineEdit* m_lengths = nullptr;
    QLabel* m_lengthsError = nullptr;
    QLineEdit* m_batches = nullptr;
    QLabel* m_batchesError = nullptr;
    QComboBox* m_device = nullptr;
    QComboBox* m_dtype = nullptr;
    QSpinBox* m_repeats = nullptr;
    QSpinBox* m_warmup = nullptr;
    QDoubleSpinBox* m_padding = nullptr;
    QCheckBox* m_extend = nullptr;
    QCheckBox* m_quality = nullptr;
    QualityTextPicker* m_qualityPicker = nullptr;
};

} // namespace spw::ui
