// The shared page widgets: a job's progress row (hidden until the job starts, progress, Cancel, hidden once it
// ends) and the inline message (hidden while empty, the text and colour of its kind when shown).
#include "widgets/inline_message.h"
#include "widgets/job_progress_row.h"

#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <QVBoxLayout>

using spw::ui::InlineMessage;
using spw::ui::JobProgressRow;

Q_DECLARE_METATYPE(InlineMessage::Kind)

class TestWidgets : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void progressRowFollowsTheJob()
    {
        QWidget page;
        auto* row = new JobProgressRow(QStringLiteral("jobProgress"), QStringLiteral("cancelJob"), 140, &page);
        auto* bar = page.findChild<QProgressBar*>(QStringLiteral("jobProgress"));
        auto* cancel = page.findChild<QPushButton*>(QStringLiteral("cancelJob"));
        auto* description = row->findChild<QLabel*>();
        QVERIFY(bar && cancel && description);
        QCOMPARE(bar->maximumWidth(), 140);
        QCOMPARE(cancel->text(), QStringLiteral("Cancel"));
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QVERIFY(!row->isVisible());

        row->start(QStringLiteral("Exporting…"));
        QVERIFY(row->isVisible());
        QCOMPARE(description->text(), QStringLiteral("Exporting…"));
        QCOMPARE(bar->value(), 0);
        row->setProgress(0.42f);
        QCOMPARE(bar->value(), 42);
        QCOMPARE(bar->text(), QStringLiteral("42%"));
        row->setProgress(1.f);
        QCOMPARE(bar->value(), 100);

        QSignalSpy cancelRequested(row, &JobProgressRow::cancelRequested);
        QTest::mouseClick(cancel, Qt::LeftButton);
        QCOMPARE(cancelRequested.count(), 1);

        row->finish();
        QVERIFY(!row->isVisible());
        // A second job starts from an empty bar with its own description.
        row->start(QStringLiteral("Comparing…"));
        QVERIFY(row->isVisible());
        QCOMPARE(description->text(), QStringLiteral("Comparing…"));
        QCOMPARE(bar->value(), 0);
    }

    void messageShowsItsKind_data()
    {
        QTest::addColumn<InlineMessage::Kind>("kind");
        QTest::addColumn<QString>("objectName");
        QTest::addColumn<QColor>("textColour");
        QTest::newRow("error") << InlineMessage::Kind::Error << QStringLiteral("errorLabel")
                               << QColor(0xb0, 0x00, 0x20);
        QTest::newRow("success") << InlineMessage::Kind::Success << QStringLiteral("successLabel")
                                 << QColor(0x0f, 0x51, 0x32);
    }

    void messageShowsItsKind()
    {
        QFETCH(InlineMessage::Kind, kind);
        QFETCH(QString, objectName);
        QFETCH(QColor, textColour);
        QWidget page;
        new QVBoxLayout(&page);
        auto* message = new InlineMessage(kind, &page);
        page.layout()->addWidget(message);
        QCOMPARE(page.findChild<QLabel*>(objectName), message);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QVERIFY(!message->isVisible());
        QCOMPARE(message->message(), QString());

        message->showMessage(QStringLiteral("block (0) must be positive"));
        QVERIFY(message->isVisible());
        QCOMPARE(message->message(), QStringLiteral("block (0) must be positive"));
        QCOMPARE(message->palette().color(message->foregroundRole()), textColour);
        QVERIFY(message->wordWrap());
        QVERIFY(message->textInteractionFlags() & Qt::TextSelectableByMouse);

        message->clearMessage();
        QVERIFY(!message->isVisible());
        QCOMPARE(message->message(), QString());
        QCOMPARE(message->text(), QString());
    }
};

QTEST_MAIN(TestWidgets)
#include "test_widgets.moc"
