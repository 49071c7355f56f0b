"""Extraction rules on made-up abstracts: what is read, and what is deliberately not."""
from __future__ import annotations

import kg
from kg.records import Paper
from kg.nlp.claims import is_claim


def extract(title: str, abstract: str):
    return kg.extract(Paper(id="t", title=title, abstract=abstract, source="test", line=1))


def names(ex, kind: str) -> set[str]:
    return {m.long_form or m.text for m in ex.mentions if m.kind == kind}


def test_proposed_names_from_title_and_naming_phrases():
    ex = extract("FooNet: Fast Segmentation for Everyone",
                 "We propose FooNet, a simple architecture. We also release a new benchmark, called BarBench. "
                 "Experiments on Cityscapes show that FooNet outperforms DeepLabv3 by 2.1 mIoU.")
    proposed = {m.text for m in ex.mentions if m.proposed}
    assert {"FooNet", "BarBench"} <= proposed
    assert "Cityscapes" in names(ex, "dataset") and "BarBench" in names(ex, "dataset")
    assert "DeepLabv3" not in proposed  # compared with, not introduced
    ex = extract("Visual Attribute Transfer", "We call our technique Deep Image Analogy, since it transfers looks.")
    assert [(m.text, m.kind, m.proposed) for m in ex.mentions] == [("Deep Image Analogy", "method", True)]


def test_abbreviation_is_one_entity_with_both_forms():
    ex = extract("A Study", "Knowledge distillation (KD) transfers knowledge. We show that KD helps small models.")
    kd = [m for m in ex.mentions if m.long_form == "Knowledge distillation"]
    assert len(kd) == 1 and "KD" in (kd[0].text, *kd[0].forms)
    assert ex.abbreviations == {"KD": "Knowledge distillation"}


def test_a_title_that_spells_out_its_name_defines_it():
    ex = extract("CAMS: Color-Aware Multi-Style Transfer",
                 "Style transfer renders an image in the look of another. CAMS keeps the colours of the content image.")
    cams = [m for m in ex.mentions if "CAMS" in (m.text, *m.forms)]
    assert len(cams) == 1 and cams[0].long_form == "Color-Aware Multi-Style Transfer"
    assert cams[0].kind == "method" and cams[0].proposed  # introduced by the paper, not a task of its title
    assert ex.abbreviations["CAMS"] == "Color-Aware Multi-Style Transfer"
    # a subtitle whose letters only happen to spell the name is a claim, not its long form
    ex = extract("PANDA: Prompt Transfer Meets Knowledge Distillation", "We study prompt transfer.")
    assert "PANDA" not in ex.abbreviations


def test_a_name_with_a_capital_inside_is_not_an_ordinary_word_in_lower_case():
    ex = extract("Knowledge Graph Embeddings", "We rotate the relation vectors. RotatE models relations as rotations.")
    assert [m.text for m in ex.mentions if m.text.lower() == "rotate"] == ["RotatE"]


def test_a_metric_named_as_a_training_objective_is_not_one():
    ex = extract("Limits of Transfer", "Any Kullback-Leibler divergence minimizer transfers; we report accuracy.")
    assert names(ex, "metric") == {"accuracy"}


def test_precision_as_a_number_format_is_not_the_metric():
    ex = extract("Quantized Training", "Weights are kept at 8-bit precision while activations use full precision.")
    assert not names(ex, "metric")
    ex = extract("Quantized Training", "Weights are kept at 8-bit precision. We report precision and recall.")
    assert names(ex, "metric") == {"precision", "recall"}


def test_a_metric_stays_in_its_clause():
    ex = extract("Elastic Training", "Throughput improves by 35%; failure recovery becomes 82x faster than before.")
    assert {r.value: r.metric for r in ex.results} == {"35": "Throughput", "82": None}


def test_a_short_form_defined_in_the_plural_means_the_same_in_the_singular():
    ex = extract("A Study", "We present Embedding Space Maps (ESMs). Each ESM maps one space into another.")
    esm = [m for m in ex.mentions if m.long_form == "Embedding Space Maps"]
    assert len(esm) == 1 and {"ESMs", "ESM"} <= {esm[0].text, *esm[0].forms}


def test_a_new_name_right_after_a_dataset_or_metric_noun_is_one():
    ex = extract("Robustness Study", "We introduce a synthetic dataset SI-Score and test ResNet-50 on the benchmark "
                                     "ObjNet-Hard.")
    assert {"SI-Score", "ObjNet-Hard"} <= names(ex, "dataset") and "ResNet-50" in names(ex, "method")
    ex = extract("Crisis Tweets", "We report positive-class F1 on the TREC-IS 2020-A dataset.")
    assert names(ex, "dataset") == {"TREC-IS"}  # "IS" (Inception Score) glued on does not make it a metric
    ex = extract("Feature Matching", "We define a new criterion called Group Effect and a metric, FeatDist.")
    assert {"Group Effect", "FeatDist"} <= names(ex, "metric")


def test_a_definition_the_authors_name_or_propose_is_their_method():
    for abstract in ("We introduce a novel approach, dubbed relational knowledge distillation (RKD), for transfer.",
                     "We propose instruction-guided content selection (IGCS), a unified framework."):
        (m,) = extract("T", abstract).mentions
        assert m.kind == "method" and m.proposed and m.long_form in abstract
    (m,) = extract("T", "We study domain adaptation (DA) in depth.").mentions
    assert m.kind == "task" and not m.proposed  # studied, not named or proposed


def test_a_defined_term_of_the_world_is_no_name_and_a_narrowed_task_stays_a_task():
    ex = extract("A Title", "Turbulent flow is modeled by the Navier-Stokes Equations (NSE). Personalized Federated "
                            "Learning (PFL) adapts models to clients. The tumor splits into the Tumor Core (TC) and "
                            "the rest.")
    assert {(m.long_form or m.text, m.kind) for m in ex.mentions} == {("Personalized Federated Learning", "task")}


def test_a_defined_name_is_typed_by_its_head_not_by_what_it_is_for():
    ex = extract("A Title", "The Sparse Mixture model for Long Document Summarization (SMLDS) is a strong baseline.")
    assert {(m.long_form or m.text, m.kind) for m in ex.mentions} == {
        ("Sparse Mixture model for Long Document Summarization", "method")}


def test_a_coined_name_the_paper_proposes_is_a_method_whatever_its_last_word():
    ex = extract("A Title", "Quantization is costly. To overcome this, we propose Future-Aware Quantization (FAQ), "
                            "which looks ahead. We derive a novel paradigm, Dual Alignment Maximin Optimization "
                            "(DAMO), for offline RL.")
    proposed = {m.long_form or m.text: m.kind for m in ex.mentions if m.proposed}
    assert proposed == {"Future-Aware Quantization": "method", "Dual Alignment Maximin Optimization": "method"}
    assert "quantization" in {m.text.lower() for m in ex.mentions if m.kind == "task" and not m.proposed}
    # a name given to a task is a task the paper poses, not a method it introduces
    ex = extract("A Title", "We define a new task called Visual Abductive Reasoning, where models explain scenes.")
    assert [(m.text, m.kind, m.proposed) for m in ex.mentions] == [("Visual Abductive Reasoning", "task", False)]


def test_the_named_parts_of_what_the_paper_proposes_are_its_own():
    ex = extract("A Title", "Retrieval is hard. We propose FooNet. FooNet consists of two modules: the Sub-Query "
                            "Planner Module (SQPM), which splits questions, and the Evidence Fusion Module (EFM). "
                            "FooNet outperforms Decoupled Passage Ranking (DPR). It follows the ABC (Accuracy, "
                            "Brevity, Clarity) principle.")
    proposed = {m.long_form or m.text for m in ex.mentions if m.proposed}
    assert proposed == {"FooNet", "Sub-Query Planner Module", "Evidence Fusion Module"}
    # what is built is FooNet, not the method it outperforms
    ex = extract("A Title", "We propose FooNet. FooNet outperforms Decoupled Passage Ranking (DPR) and is built on "
                            "public data.")
    assert {m.long_form or m.text for m in ex.mentions if m.proposed} == {"FooNet"}


def test_what_exists_already_or_sits_in_a_link_is_not_introduced():
    ex = extract("Data Sources", "We introduce a testbed of six publicly available data sources - YFCC, LAIONet and "
                                 "RedCaps. Data: https://github.com/a/b-dataset{OpenData-Set}.")
    assert not [m.text for m in ex.mentions if m.proposed]
    assert "OpenData-Set" not in {m.text for m in ex.mentions}  # LaTeX residue glued to the link
    ex = extract("A Baseline", "We propose a new baseline approach (MoE-PKT) for transfer.")
    assert [m.text for m in ex.mentions if m.proposed] == ["MoE-PKT"]
    # a name inside a relative clause or after a preposition is not what the verb introduces
    ex = extract("A Study", "This paper proposes a new framework that combines FooTrees and BarNets. We propose "
                            "a variant of QuxOpt for sparse data. We introduce a plug-in module for ZapNet.")
    assert not [m.text for m in ex.mentions if m.proposed]
    ex = extract("A Study", "We present a benchmark of 500 tasks, FooBench, and a model trained on it: BarLM.")
    assert {m.text for m in ex.mentions if m.proposed} == {"FooBench", "BarLM"}


def test_results_are_numbers_with_result_units_not_counts():
    ex = extract("A Model", "Our 7B model is trained on 2048 TPU v3 chips for 4 days on 47k problems in 14 "
                            "languages. It reaches 87.5% top-1 accuracy on ImageNet and improves BLEU by +3.6 points.")
    values = {(r.value, r.unit) for r in ex.results}
    assert ("87.5", "%") in values and ("3.6", "points") in values
    assert not {v for v, _ in values} & {"7", "2048", "4", "47", "14"}
    top1 = next(r for r in ex.results if r.value == "87.5")
    assert top1.metric == "top-1 accuracy" and "ImageNet" in top1.datasets
    assert next(r for r in ex.results if r.value == "3.6").improvement


def test_a_title_that_opens_with_a_method_name_proposes_it():
    def proposed(title: str) -> list[tuple[str, str]]:
        return [(m.text, m.kind) for m in extract(title, "We study this.").mentions if m.proposed]
    assert proposed("Relational Knowledge Distillation") == [("Relational Knowledge Distillation", "method")]
    assert proposed("Sparse Graph Transformer For Molecule Generation") == [("Sparse Graph Transformer", "method")]
    assert proposed("Anomaly Fusion Network for Time Series") == [("Anomaly Fusion Network", "method")]
    assert proposed("Attention-Enhanced Hybrid Feature Aggregation Network for 3D Brain Tumor Segmentation") == [
        ("Attention-Enhanced Hybrid Feature Aggregation Network", "method")]
    # a clause, a description, a survey, a meeting of two fields: nothing new is named
    for title in ("Training Neural Networks with Fixed Sparse Masks", "A Unified Framework for Image Editing",
                  "Learning with Verifiable Rewards Implicitly Incentivizes Correct Reasoning",
                  "Sparse Attention Quietly Outperforms Dense Attention",
                  "Source Code Data Augmentation for Deep Learning: A Survey",
                  "Reinforcement Learning Meets Masked Generative Models"):
        assert proposed(title) == [], title


def test_a_quantization_setting_is_no_name():
    ex = extract("A Title", "We quantize to W4A16 and W2A4KV4 settings with FooQuant and KV8 caches.")
    assert names(ex, "method") == {"FooQuant"}


def test_a_known_model_family_in_the_title_is_used_not_proposed():
    ex = extract("Image Editing as Programs with Diffusion Models", "We edit images.")
    assert [(m.text, m.kind, m.proposed) for m in ex.mentions if m.kind == "method"] == [
        ("Diffusion Models", "method", False)]


def test_a_bare_acronym_listed_beside_known_names_is_one_of_them():
    ex = extract("A Speech Model", "Existing systems such as Whisper, USM, and MMS perform well. We train on CPU.")
    assert names(ex, "method") == {"Whisper", "USM", "MMS"}  # "CPU" alone, with no cue, is not a name


def test_a_metric_named_in_the_plural_is_the_same_metric():
    ex = extract("A Defence", "Our defence lowers attack success rates on AdvBench, and the model recalls facts "
                              "with higher accuracies.")
    assert {(m.text, m.canonical) for m in ex.mentions if m.kind == "metric"} == {
        ("attack success rates", "attack success rate"), ("accuracies", "accuracy")}  # "recalls" is a verb
    ex = extract("A Method", "It lowers computational complexity and improves sample efficiency in control.")
    assert names(ex, "metric") == {"computational complexity", "sample efficiency"}


def test_frames_per_second_are_a_result_unit_and_speed_an_achievement():
    ex = extract("A Title", "We propose FooNet. With these designs, FooNet achieves an inference speed of 60.4 FPS "
                            "on one GPU.")
    assert [(r.value, r.unit, r.metric) for r in ex.results] == [("60.4", "FPS", "inference speed")]
    assert [c.text for c in ex.claims] == ["With these designs, FooNet achieves an inference speed of 60.4 FPS on "
                                           "one GPU."]


def test_a_number_said_in_terms_of_a_metric_is_tied_to_it():
    ex = extract("A Model", "Our model shows gains of 7.2% in terms of AUROC and 14.1% in terms of AUPRC on "
                            "MIMIC-III.")
    assert {(r.value, r.metric) for r in ex.results} == {("7.2", "AUROC"), ("14.1", "AUPRC")}
    assert names(ex, "metric") == {"AUROC", "AUPRC"}  # not "14", the number's integer part


def test_numbers_listed_after_an_improvement_cue_are_improvements_too():
    ex = extract("A Model", "It improves accuracy by 5.2% on GSM8K and 3.1% on MATH. "
                            "It reaches 85.3% and 86.1% on SVHN.")
    assert {r.value: r.improvement for r in ex.results} == {"5.2": True, "3.1": True, "85.3": False, "86.1": False}


def test_claims_are_findings_not_contributions_or_availability():
    assert is_claim("Experimental results show that our method outperforms strong baselines.", 5, 7)
    assert is_claim("We find that larger models transfer better across domains.", 4, 7)
    assert not is_claim("In this paper, we propose a new method for retrieval.", 2, 7)
    assert not is_claim("Code is available at https://github.com/a/b.", 6, 7)
    # how the work was done is not what it found, unless the sentence goes on to say so
    assert not is_claim("To validate the effectiveness of our method, we conduct extensive experiments on "
                        "multiple benchmarks.", 5, 7)
    assert is_claim("Based on our findings, we conduct a human evaluation and find the metric that best "
                    "correlates with human scores.", 5, 7)
    assert is_claim("Our work reveals that transfer depends on the shared data space.", 3, 7)
    assert is_claim("I demonstrate that the injected features modulate data efficiency.", 4, 7)  # one author
    assert not is_claim("I present a graph-based module for symbolic synthesis.", 2, 7)
    assert is_claim("Evaluations across four benchmarks validate the efficacy of our method.", 4, 7)
    assert is_claim("Empirically, the sparse variant matches dense training on long sequences.", 4, 7)
    assert is_claim("The resulting system sets a new state of the art on the benchmark.", 4, 7)
    assert is_claim("Compared with prior methods, the model achieves higher accuracy at lower cost.", 4, 7)
    assert not is_claim("Compared with images, videos are expensive to annotate.", 1, 7)  # background
    assert is_claim("Interestingly, we discovered that smaller models forget less.", 4, 7)
    assert is_claim("Numerical experiments support the theory.", 5, 7)
    assert is_claim("We evaluate the method on two benchmarks, showing gains over the baselines.", 5, 7,
                    has_result=True)
    # what others have done, and open questions, are background
    assert not is_claim("Large language models have achieved remarkable success in reasoning.", 3, 7)
    assert not is_claim("Recent studies show that scaling improves robustness.", 1, 7)
    assert not is_claim("This raises the question of whether new paradigms can surpass classical ones.", 2, 7)


def test_a_sentence_that_opens_with_the_papers_own_name_is_about_its_work():
    # any mention of the name the paper introduces, not only the one that introduced it
    ex = extract("A Title", "Memory limits long-context models. We propose FooNet, a new method for compressing "
                            "caches. FooNet reduces memory usage while maintaining accuracy. Code is available.")
    assert [c.text for c in ex.claims] == ["FooNet reduces memory usage while maintaining accuracy."]
    ex = extract("A Title", "Memory limits long-context models. Caching reduces memory usage while maintaining "
                            "accuracy. Code is available.")
    assert ex.claims == []  # the same words about what others do are background


def test_generic_phrases_are_not_entities():
    ex = extract("On Methods", "Large language models and deep neural networks are used by existing methods. "
                               "Our method is a simple framework. The Lottery Ticket Hypothesis (LTH) and the "
                               "manifold hypothesis are concepts, not methods.")
    assert not ex.mentions


def test_sentences_end_after_a_symbol_but_not_after_an_initial_or_abbreviation():
    from kg.nlp.pipeline import get_pipeline, state
    from kg.extraction import make_doc
    nlp = get_pipeline()
    text = ("T\n\nWe bound the loss over the set A. We show it helps, e.g. Fig. 2 and Figure 1. As Alan M. Turing "
            "noted, it works. The U.S. Army agrees.")
    st = state(nlp(make_doc(nlp, text)))
    assert [text[s.start:s.end] for s in st.sentences if s.index >= 0] == [
        "We bound the loss over the set A.", "We show it helps, e.g. Fig. 2 and Figure 1.",
        "As Alan M. Turing noted, it works.", "The U.S. Army agrees."]


def test_odd_whitespace_does_not_break_extraction():
    ex = extract("T", "We study the image  classification task. The problem of  domain   adaptation matters.")
    assert {"task"} == {m.kind for m in ex.mentions}


def datasets_by_value(abstract: str) -> dict[str, tuple[str, ...]]:
    return {r.value: r.datasets for r in extract("A Study", abstract).results}


def test_each_number_goes_with_the_dataset_written_next_to_it():
    assert datasets_by_value("SparseMix achieves 91.2% accuracy on CIFAR-10 and 72.4% accuracy on CIFAR-100.") \
        == {"91.2": ("CIFAR-10",), "72.4": ("CIFAR-100",)}
    assert datasets_by_value("On ImageNet our model reaches 80.1% top-1 accuracy and on COCO it reaches 50.2 AP.") \
        == {"80.1": ("ImageNet",), "50.2": ("COCO",)}
    assert datasets_by_value("It reaches 78.5 and 61.0 Hits@1 on WebQSP and ComplexWebQuestions respectively.") \
        == {"78.5": ("WebQSP",), "61": ("ComplexWebQuestions",)}


def test_a_number_with_a_list_of_datasets_keeps_them_all():
    assert datasets_by_value("Our approach improves accuracy by 5% on CUB200, Stanford Dogs, MIT67 and Stanford40.") \
        == {"5": ("CUB200", "Stanford Dogs", "MIT67", "Stanford40")}
    # a number of a pair shares the dataset its neighbour names ("74.8% in-domain and 71.6% out-of-domain")
    got = datasets_by_value("FooNet is best on Vbvr-VQA with 74.8% in-domain and 71.6% out-of-domain accuracy, "
                            "and reaches 55.0% accuracy on IntPhys2.")
    assert got == {"74.8": ("Vbvr-VQA",), "71.6": ("Vbvr-VQA",), "55": ("IntPhys2",)}


def test_a_variant_of_a_known_name_keeps_its_family_kind():
    ex = extract("A Study", "We fine-tune on YOLO11s and on RT-DETR-L, and report results on ImageNet-R.")
    assert {"YOLO11s", "RT-DETR-L"} <= names(ex, "method")
    assert "ImageNet-R" in names(ex, "dataset")
    # a plain word before the hyphen is not a family name: "Math" does not make Math-RLVR the MATH dataset
    assert "Math-RLVR" not in names(extract("A Study", "We train with Math-RLVR on our data."), "dataset")


def test_task_phrases_are_names_of_tasks_not_words_around_them():
    ex = extract("T", "Our data helps advancing mathematical problem-solving. Verifiers are hard to get for "
                      "difficult coding problems and for difficult mathematical problems. We study the image "
                      "deblurring task and the background removal task. It serves a given buyer's image "
                      "retrieval task and the intent behind code summarization problems.")
    assert names(ex, "task") == {"image deblurring", "background removal", "image retrieval", "code summarization"}
    # a verb before the phrase takes the task as its object: it is not part of the task's name
    ex = extract("T", "We study medical image segmentation tasks and tackle graph partitioning problems.")
    assert names(ex, "task") == {"medical image segmentation", "graph partitioning"}
    # the specific task, not also the broader one it ends with
    ex = extract("T", "Time series anomaly detection (TSAD) matters in industry. Anomaly detection is hard, and we "
                      "study image classification.")
    assert names(ex, "task") == {"Time series anomaly detection", "image classification"}
    ex = extract("Preserving Embeddings for Point Cloud Recovery", "We address the sparse signal recovery problem.")
    assert names(ex, "task") == {"Point Cloud Recovery", "sparse signal recovery"}
    # what experiments are on, when it ends like a task: not a technique ("contrastive learning"), not a
    # description ("numerous image classification datasets")
    ex = extract("T", "We report results on clinical note summarization and on sparse graph matching. Results on "
                      "federated contrastive learning and on numerous cell segmentation datasets follow.")
    assert names(ex, "task") == {"clinical note summarization", "sparse graph matching"}
    # what a method or a benchmark is for; not what anything else is for
    ex = extract("T", "We propose a framework for long video generation and a benchmark for sparse graph matching. "
                      "We thank them for careful data collection.")
    assert names(ex, "task") == {"long video generation", "sparse graph matching"}


def test_names_listed_after_namely_take_the_kind_of_the_noun_before_it():
    ex = extract("A Benchmark", "We build three novel datasets, namely, FooTrans supporting many languages, "
                                "BarTrans for rare languages, and BazTrans for testing models. We compare two "
                                "models, namely, QuxBench with attention, and ZapBench.")
    assert {"FooTrans", "BarTrans", "BazTrans"} <= names(ex, "dataset")
    assert {"QuxBench", "ZapBench"} <= names(ex, "method")  # "models": methods, whatever their names say
    proposed = {m.text for m in ex.mentions if m.proposed}
    assert {"FooTrans", "BarTrans", "BazTrans"} <= proposed  # "novel datasets"
    assert "ZapBench" not in proposed  # the baselines are not said to be new
