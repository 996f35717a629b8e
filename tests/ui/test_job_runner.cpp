// The job runner: results come back on the GUI thread, stale and cancelled results are dropped, a dead receiver
// gets nothing, progress and failures are delivered.
#include "common/error.h"
#include "job_runner.h"

#include <QSemaphore>
#include <QSignalSpy>
#include <QTest>
#include <QThread>

using spw::ProgressCallback;
using spw::ui::JobRunner;

class TestJobRunner : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void deliversResultOnGuiThread()
    {
        JobRunner runner;
        QObject receiver;
        QThread* workerThread = nullptr;
        QThread* deliveryThread = nullptr;
        int result = 0;
        JobRunner::Handlers<int> handlers;
        handlers.finished = [&](int value) {
            result = value;
            deliveryThread = QThread::currentThread();
        };
        QSignalSpy idle(&runner, &JobRunner::becameIdle);
        runner.run<int>(
            QStringLiteral("sum"), &receiver,
            [&](const ProgressCallback&) {
                workerThread = QThread::currentThread();
                int sum = 0;
                for (int i = 1; i <= 100; ++i)
                    sum += i;
                return sum;
            },
            handlers);
        QVERIFY(idle.wait(5000));
        QCOMPARE(result, 5050);
        QCOMPARE(deliveryThread, QThread::currentThread());
        QVERIFY(workerThread != QThread::currentThread());
        QVERIFY(!runner.isBusy());
    }

    void dropsStaleResult()
    {
        JobRunner runner;
        QObject receiver;
        QSemaphore firstMayFinish;
        QList<int> delivered;
        JobRunner::Handlers<int> handlers;
        handlers.finished = [&](int value) { delivered << value; };
        // The first job ignores its cancellation (it never reports progress) and finishes after the second started.
        runner.run<int>(
            QStringLiteral("c"), &receiver,
            [&](const ProgressCallback&) {
                firstMayFinish.acquire();
                return 1;
            },
            handlers);
        runner.run<int>(
            QStringLiteral("c"), &receiver, [](const ProgressCallback&) { return 2; }, handlers);
        firstMayFinish.release();
        QTRY_VERIFY_WITH_TIMEOUT(!runner.isBusy(), 5000);
        QCOMPARE(delivered, QList<int> { 2 });
    }

    void otherChannelsAreIndependent()
    {
        JobRunner runner;
        QObject receiver;
        QList<int> delivered;
        JobRunner::Handlers<int> handlers;
        handlers.finished = [&](int value) { delivered << value; };
        runner.run<int>(
            QStringLiteral("a"), &receiver, [](const ProgressCallback&) { return 1; }, handlers);
        runner.run<int>(
            QStringLiteral("b"), &receiver, [](const ProgressCallback&) { return 2; }, handlers);
        QTRY_VERIFY_WITH_TIMEOUT(!runner.isBusy(), 5000);
        std::sort(delivered.begin(), delivered.end());
        QCOMPARE(delivered, (QList<int> { 1, 2 }));
    }

    void deadReceiverGetsNothing()
    {
        JobRunner runner;
        auto* receiver = new QObject;
        QSemaphore mayFinish;
        bool called = false;
        JobRunner::Handlers<int> handlers;
        handlers.finished = [&](int) { called = true; };
        runner.run<int>(
            QStringLiteral("c"), receiver,
            [&](const ProgressCallback&) {
                mayFinish.acquire();
                return 1;
            },
            handlers);
        delete receiver;
        mayFinish.release();
        QTRY_VERIFY_WITH_TIMEOUT(!runner.isBusy(), 5000);
        QVERIFY(!called);
    }

    void cancelStopsWorkThroughProgress()
    {
        JobRunner runner;
        QObject receiver;
        QSemaphore started;
        std::atomic_bool sawCancel = false;
        bool finished = false;
        bool failed = false;
        JobRunner::Handlers<int> handlers;
        handlers.finished = [&](int) { finished = true; };
        handlers.failed = [&](const QString&) { failed = true; };
        runner.run<int>(
            QStringLiteral("long"), &receiver,
            [&](const ProgressCallback& progress) {
                started.release();
                // An engine loop: reports progress until told to stop; reportProgress then throws spw::Cancelled.
                for (int step = 0; step < 1000000; ++step) {
                    if (!progress(float(step % 100) / 100.f)) {
                        sawCancel = true;
                        spw::reportProgress(progress, 0.f);
                    }
                    QThread::usleep(100);
                }
                return 1;
            },
            handlers);
        QVERIFY(started.tryAcquire(1, 5000));
        runner.cancel(QStringLiteral("long"));
        QTRY_VERIFY_WITH_TIMEOUT(!runner.isBusy(), 5000);
        QVERIFY(sawCancel);
        QVERIFY(!finished);
        QVERIFY(!failed);
    }

    void deliversProgressAndFailure()
    {
        JobRunner runner;
        QObject receiver;
        QList<float> fractions;
        QString message;
        JobRunner::Handlers<int> handlers;
        handlers.progressed = [&](float fraction) { fractions << fraction; };
        handlers.failed = [&](const QString& text) { message = text; };
        QSignalSpy progressed(&runner, &JobRunner::jobProgressed);
        runner.run<int>(
            QStringLiteral("c"), &receiver,
            [](const ProgressCallback& progress) -> int {
                progress(0.25f);
                progress(0.5f);
                spw::fail("block ({}) must be positive", 0);
            },
            handlers);
        QTRY_VERIFY_WITH_TIMEOUT(!runner.isBusy(), 5000);
        QCOMPARE(fractions, (QList<float> { 0.25f, 0.5f }));
        QCOMPARE(progressed.count(), 2);
        QCOMPARE(message, QStringLiteral("block (0) must be positive"));
    }
};

QTEST_MAIN(TestJobRunner)
#include "test_job_runner.moc"
