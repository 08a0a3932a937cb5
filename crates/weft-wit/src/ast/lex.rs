//! WIT tokenizer. (stub — being written)
