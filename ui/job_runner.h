#pragma once
// Runs engine work off the GUI thread. Each job belongs to a named channel ("layout", "export", ...): starting a
// job on a channel cancels the one before it and bumps the channel's generation, so a stale result that still
// arrives is dropped. Results, failures and progress come back to the receiver through queued calls, and only
// while the receiver (a QPointer) is alive. Cancel works through the engine's ProgressCallback: once cancelled it
// returns false and the engine throws spw::Cancelled.
#include "common/progress.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QThreadPool>

#include <atomic>
#include <functional>
#include <memory>

namespace spw::ui {

class JobRunner : public QObject {
    Q_OBJECT
public:
    explicit JobRunner(QObject* parent = nullptr);
    ~JobRunner() override; // cancels every job and waits for the workers

    template <typename Result> struct Handlers {
        std::function<void(Result)> finished;
        std::function<void(const QString& message)> failed; // spw::Error and other exceptions
        std::function<void(float fraction)> progressed;
    };

    // Runs `work` on the pool. `work` receives a progress callback to call as it goes (and to pass to the engine);
    // it returns false once the job is cancelled or superseded. Returns the job's generation on its channel.
    template <typename Result>
    quint64 run(const QString& channel, QObject* receiver, std::function<Result(const ProgressCallback&)> work,
        Handlers<Result> handlers);

    void cancel(const QString& channel);
    void cancelAll();
    bool isBusy() const { return m_running > 0; }
    bool isCurrent(const QString& channel, quint64 generation) const;

Q_SIGNALS:
    void jobStarted(const QString& channel);
    void jobProgressed(const QString& channel, float fraction);
    void jobEnded(const QString& channel); // finished, failed, cancelled or superseded
    void becameIdle();

private:
    struct Slot {
        quint64 generation = 0;
        std::shared_ptr<std::atomic_bool> cancelled;
    };
    // Bookkeeping shared by every job type, on the GUI thread.
    std::pair<quint64, std::shared_ptr<std::atomic_bool>> begin(const QString& channel);
    void end(const QString& channel);
    void start(std::function<void()> task);

    QThreadPool m_pool;
    QHash<QString, Slot> m_slots;
    int m_running = 0;
};

template <typename Result>
quint64 JobRunner::run(const QString& channel, QObject* receiver, std::function<Result(const ProgressCallback&)> work,
    Handlers<Result> handlers)
{
    auto [generation, cancelled] = begin(channel);
    QPointer<QObject> guard(receiver);
    QPointer<JobRunner> self(this);
    // Delivery runs on the runner's (GUI) thread; `this` as the context drops it if the runner is gone.
    auto deliver = [this, channel, generation, guard](std::function<void()> call) {
        QMetaObject::invokeMethod(
            this,
            [this, channel, generation, guard, call = std::move(call)] {
                if (guard && isCurrent(channel, generation) && call)
                    call();
            },
            Qt::QueuedConnection);
    };
    auto finishBookkeeping = [this, channel] {
        QMetaObject::invokeMethod(
            this, [this, channel] { end(channel); }, Qt::QueuedConnection);
    };
    start([=, work = std::move(work), handlers = std::move(handlers)] {
        // Progress is posted only when it moves by a percent, so a tight engine loop does not flood the event queue.
        auto lastPosted = std::make_shared<float>(-1.f);
        ProgressCallback progress = [=](float fraction) {
            if (*cancelled)
                return false;
            if (fraction - *lastPosted >= 0.01f || fraction >= 1.f) {
                *lastPosted = fraction;
                deliver([=] {
                    if (self)
                        Q_EMIT self->jobProgressed(channel, fraction);
                    if (handlers.progressed)
                        handlers.progressed(fraction);
                });
            }
            return true;
        };
        try {
            auto result = std::make_shared<Result>(work(progress));
            if (!*cancelled)
                deliver([result, finished = handlers.finished] {
                    if (finished)
                        finished(std::move(*result));
                });
        } catch (const Cancelled&) {
            // Cancelled jobs report nothing: whoever cancelled already knows.
        } catch (const std::exception& error) {
            const QString message = QString::fromStdString(error.what());
            deliver([message, failed = handlers.failed] {
                if (failed)
                    failed(message);
            });
        }
        finishBookkeeping();
    });
    return generation;
}

} // namespace spw::ui
