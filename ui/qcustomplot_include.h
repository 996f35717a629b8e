#pragma once
// qcustomplot.h spells Qt's `signals` and `foreach` keywords, which spw_ui turns off (QT_NO_KEYWORDS, so that
// LibTorch headers stay usable). Include QCustomPlot through this header: it lends the two keywords for the
// duration of the include only.
#define signals Q_SIGNALS
#define foreach Q_FOREACH
#include <qcustomplot.h>
#undef foreach
#undef signals
