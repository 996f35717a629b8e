#include "job_runner.h"

#include <QThread>

#include <algorithm>

namespace spw::ui {

JobRunner::JobRunner(QObject* parent)
    : QObject(parent)
{
    // Leave a core for the GUI thread.
    m_pool.setMaxThreadCount(std::max(1, QThread::idealThreadCount() - 1));
}

JobRunner::~JobRunner()
{
    cancelAll();
    m_pool.waitForDone();
}

std::pair<quint64, std::shared_ptr<std::atomic_bool>> JobRunner::begin(const QString& channel)
{
    Slot& slot = m_slots[channel];
    if (slot.cancelled)
        *slot.cancelled = true; // the superseded job stops at its next progress report
    slot.generation += 1;
    slot.cancelled = std::make_shared<std::atomic_bool>(false);
    ++m_running;
    Q_EMIT jobStarted(channel);
    return { slot.generation, slot.cancelled };
}

void JobRunner::end(const QString& channel)
{
    --m_running;
    Q_EMIT jobEnded(channel);
    if (m_running == 0)
        Q_EMIT becameIdle();
}

void JobRunner::start(std::function<void()> task)
{
    m_pool.start(std::move(task));
}

bool JobRunner::isCurrent(const QString& channel, quint64 generation) const
{
    const auto it = m_slots.constFind(channel);
    return it != m_slots.constEnd() && it->generation == generation && !*it->cancelled;
}

void JobRunner::cancel(const QString& channel)
{
    const auto it = m_slots.constFind(channel);
    if (it != m_slots.constEnd() && it->cancelled)
        *it->cancelled = true;
}

void JobRunner::cancelAll()
{
    for (const Slot& slot : std::as_const(m_slots))
        if (slot.cancelled)
            *slot.cancelled = true;
}

} // namespace spw::ui
