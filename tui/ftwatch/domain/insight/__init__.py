"""Answers rather than curves: is this run healthy, which checkpoint to use, how runs compare.

Each rule is pure, documented with its thresholds in its module, and silent on too little data: a verdict
that fires on a healthy run or on ten noisy steps teaches people to ignore the badge.

    verdict         Badge and Verdict: what a rule says (a word for the badge, one line of why)
    health          assess(): the four rules (overfitting, diverging, stalled, memorising) and their thresholds
    overfit         the overfitting rule: validation loss rising from its low, or the gap to training widening
    train_rules     the rules on the training loss alone: diverging, memorising
    robust          the rules' statistics: block medians, noise from second differences, even subsamples
    wording         how a verdict's reason writes its numbers (losses, percentages, step counts)
    best_checkpoint best_checkpoint(): the checkpoint to use and the rule that chose it
    compare         several runs on one axis (by step or by fraction of training) and their totals
    row_health      which verdicts a job's row shows: its snapshot's, or those of a newer cheap look
    row_looks       a job the monitor does not follow judged from one cheap look (a finished job's result
                    file, a running job's newest page), by the same rules
"""
