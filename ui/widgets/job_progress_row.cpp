#include "widgets/job_progress_row.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>

namespace spw::ui {

JobProgressRow::JobProgressRow(
    const QString& progressName, const QString& cancelName, int progressMaxWidth, QWidget* parent)
    : QWidget(parent)
{
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_description = new QLabel(this);
    layout->addWidget(m_description, 1);
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(progressName);
    m_progress->setRange(0, 100);
    m_progress->setMaximumWidth(progressMaxWidth);
    layout->addWidget(m_progress);
    auto* cancel = new QPushButton(tr("Cancel"), this);
    cancel->setObjectName(cancelName);
    connect(cancel, &QPushButton::clicked, this, &JobProgressRow::cancelRequested);
    layout->addWidget(cancel);
    hide();
}

void JobProgressRow::start(const QString& description)
{
    m_description->setText(description);
    m_progress->setValue(0);
    show();
}

void JobProgressRow::setProgress(float fraction)
{
    m_progress->setValue(int(fraction * 100.f));
}

void JobProgressRow::finish()
{
    hide();
}

} // namespace spw::ui
