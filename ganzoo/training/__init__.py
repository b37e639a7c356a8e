"""The one training contract: phases, objectives, regularizers and the generic step.

    Phase, Term          what a model declares: which networks an update trains, with which
                         optimizer, how often, and the named loss terms its objective returns
    Step                 what an objective sees: the batch, noise, G(z), values shared between phases
    train_step, test_step    the generic step every ``GAN`` runs (``ganzoo.models.GAN``)
    average              the global-batch mean every loss is differentiated as
    Regularizer, GradientPenalty, FeatureMatching, PullingAway, BEGANBalance
                         remedies passed to ``compile(regularizers=[...])``
    DiffAugment, AdaptiveAugment     augmentation of D's inputs (``compile(augment="ada")``)
"""

from ganzoo.training.phases import Phase, Term, resolve
from ganzoo.training.regularizers import (
    BEGANBalance,
    FeatureMatching,
    GradientPenalty,
    PullingAway,
    Regularizer,
)
from ganzoo.training.step import Step, average, test_step, train_step
from ganzoo.training.augment import AdaptiveAugment, DiffAugment

__all__ = [
    "Phase", "Term", "Step", "train_step", "test_step", "average", "resolve",
    "Regularizer", "GradientPenalty", "FeatureMatching", "PullingAway", "BEGANBalance",
    "DiffAugment", "AdaptiveAugment",
]
