"""ganzoo.metrics: offline evaluation of generative models, checked against the mathematics.

    Distances between feature sets (``[N, D]`` arrays)
        FeatureStatistics, frechet_distance, fid_from_statistics      statistics.py (FID)
        kid_from_features, mmd2_unbiased, polynomial_kernel           kid.py (KID)
        precision_recall_from_features, density_coverage_from_features, knn_radii
                                                                      precision_recall.py
    Other scores
        inception_score_from_probs                                    inception_score.py
        psnr, ssim, rgb_to_y                                          image_quality.py
        mode_coverage, ring8_centres, grid25_centres                  mode_coverage.py
        face_embeddings, rank1, frontalization_scores                 face_identity.py
        judged_scores (any judge, ceiling and interval)
        build_recognizer, train_recognizer, colour_histogram, ...    recognizers.py (judges that
            never take part in training: frontalization's independent evaluation)
        train_attribute_classifier, caption_accuracy, AttributeJudge  captions.py
        translation_scores, accuracy, cycle_l1, domain_classifiers   translation.py (CycleGAN: labels
                                                                      kept, untranslated baseline, FCD)
    Feature extractors (every result names its extractor)
        inception_v3, domain_classifier, from_model, from_function, identity, get_extractor
                                                                      extractors.py
        FIDInception, build_fid_inception, state_dict_shapes          fid_inception.py (the papers'
                                                                      FID network, pytorch-fid .pth)
        resize_clean, resize_legacy_tf                                resize.py (clean-fid, TF1)
        read_state_dict                                               pth.py (torch.save without torch)
        protocol_record, statistics_sha256                            protocol.py (eval.json's protocol)
    Streaming front end over tf.data / arrays / iterables / sampling functions
        compute_features, compute_statistics, reference_statistics, reference_stats_path,
        fid, kid, precision_recall, density_coverage, inception_score, evaluate
                                                                      streaming.py
"""

from ganzoo.metrics.extractors import (
    FeatureExtractor,
    FunctionExtractor,
    KerasFeatureExtractor,
    domain_classifier,
    from_function,
    from_model,
    get_extractor,
    identity,
    inception_v3,
)
from ganzoo.metrics.captions import AttributeJudge, caption_accuracy, train_attribute_classifier
from ganzoo.metrics.face_identity import face_embeddings, frontalization_scores, judged_scores, rank1
from ganzoo.metrics.fid_inception import FIDInception, build_fid_inception, state_dict_shapes
from ganzoo.metrics.image_quality import psnr, rgb_to_y, ssim
from ganzoo.metrics.inception_score import inception_score_from_probs
from ganzoo.metrics.kid import kid_from_features, mmd2_unbiased, polynomial_kernel
from ganzoo.metrics.mode_coverage import ModeCoverage, grid25_centres, mode_coverage, ring8_centres
from ganzoo.metrics.precision_recall import (
    density_coverage_from_features,
    knn_radii,
    precision_recall_from_features,
)
from ganzoo.metrics.protocol import protocol_record, statistics_sha256
from ganzoo.metrics.pth import read_state_dict
from ganzoo.metrics.resize import resize_clean, resize_legacy_tf
from ganzoo.metrics.statistics import FeatureStatistics, fid_from_statistics, frechet_distance
from ganzoo.metrics.streaming import (
    DensityCoverageResult,
    FIDResult,
    InceptionScoreResult,
    KIDResult,
    PrecisionRecallResult,
    compute_features,
    compute_statistics,
    density_coverage,
    evaluate,
    fid,
    inception_score,
    iterate_batches,
    kid,
    precision_recall,
    reference_statistics,
    reference_stats_path,
)

__all__ = [
    "AttributeJudge",
    "DensityCoverageResult",
    "FIDInception",
    "FIDResult",
    "FeatureExtractor",
    "FeatureStatistics",
    "FunctionExtractor",
    "InceptionScoreResult",
    "KIDResult",
    "KerasFeatureExtractor",
    "ModeCoverage",
    "PrecisionRecallResult",
    "build_fid_inception",
    "caption_accuracy",
    "compute_features",
    "compute_statistics",
    "density_coverage",
    "density_coverage_from_features",
    "domain_classifier",
    "evaluate",
    "face_embeddings",
    "fid",
    "fid_from_statistics",
    "frechet_distance",
    "frontalization_scores",
    "from_function",
    "from_model",
    "get_extractor",
    "grid25_centres",
    "identity",
    "inception_score",
    "inception_score_from_probs",
    "inception_v3",
    "iterate_batches",
    "judged_scores",
    "kid",
    "kid_from_features",
    "knn_radii",
    "mmd2_unbiased",
    "mode_coverage",
    "polynomial_kernel",
    "precision_recall",
    "precision_recall_from_features",
    "protocol_record",
    "psnr",
    "rank1",
    "read_state_dict",
    "reference_statistics",
    "reference_stats_path",
    "resize_clean",
    "resize_legacy_tf",
    "rgb_to_y",
    "ring8_centres",
    "ssim",
    "state_dict_shapes",
    "statistics_sha256",
    "train_attribute_classifier",
]
