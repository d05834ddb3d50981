"""The usual way to summarize with transformers, one article at a time: the comparison baseline.

transformers 5 removed `pipeline("summarization")`: the installed 5.24.0 lists "summarization"
in `transformers.pipelines.REMOVED_TASKS` ("Use the `text-generation` pipeline with a chat
model instead") and `pipeline("summarization")` raises. Where the task still exists (4.x) it
is used; elsewhere `summarize_one` does what its `SummarizationPipeline` did: tokenize one
article with truncation, `generate` under no_grad with batch size 1, decode.
"""

from __future__ import annotations

from typing import Any


def has_summarization_pipeline() -> bool:
    """True on transformers releases that still ship the summarization pipeline."""
    from transformers.pipelines import SUPPORTED_TASKS

    return "summarization" in SUPPORTED_TASKS


class Baseline:
    """A fp32 model and tokenizer loaded the plain way, summarizing one article per call."""

    def __init__(
        self,
        model_dir: str,
        generate_kwargs: dict[str, Any],
        max_input_tokens: int = 512,
        device: str = "cpu",
    ) -> None:
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        self.tokenizer = AutoTokenizer.from_pretrained(model_dir)
        self.model = AutoModelForSeq2SeqLM.from_pretrained(model_dir).eval().to(device)
        self.device = device
        self.generate_kwargs = generate_kwargs
        self.max_input_tokens = max_input_tokens
        self.pipeline = None
        if has_summarization_pipeline():
            from transformers import pipeline

            self.pipeline = pipeline(
                "summarization", model=self.model, tokenizer=self.tokenizer, device=device
            )

    def token_ids(self, text: str, **extra: Any) -> Any:
        """The generated ids (or the full generate output when extra asks for a dict)."""
        import torch

        if self.pipeline is not None and not extra:
            output = self.pipeline(
                text, return_tensors=True, truncation=True, **self.generate_kwargs
            )
            return output[0]["summary_token_ids"]
        inputs = self.tokenizer(
            text, return_tensors="pt", truncation=True, max_length=self.max_input_tokens
        ).to(self.device)
        with torch.no_grad():
            output = self.model.generate(**inputs, **self.generate_kwargs, **extra)
        return output if extra else output[0]

    def summarize_one(self, text: str) -> str:
        """One article's summary text."""
        return self.tokenizer.decode(self.token_ids(text), skip_special_tokens=True)
